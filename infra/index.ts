// Pulumi entry point (`main: infra/` in Pulumi.yaml). The connector components arrive with issue 8.
export {};
