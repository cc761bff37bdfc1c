/** `arn:aws:iam::123456789012:role/x` → `123456789012`. */
export function accountOfArn(arn: string): string {
  const account = arn.split(":")[4];
  if (!account || !/^\d{12}$/.test(account)) throw new Error(`no account id in ARN ${arn}`);
  return account;
}

/** `arn:aws:glue:r:a:crawler/name` → `name`. */
export function crawlerNameOf(crawlerArn: string): string {
  return crawlerArn.slice(crawlerArn.lastIndexOf("/") + 1);
}
