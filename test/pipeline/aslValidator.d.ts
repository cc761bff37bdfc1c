declare module "asl-validator" {
  const aslValidator: (definition: unknown) => { isValid: boolean; errors: unknown[] };
  export default aslValidator;
}
