import "../../functions/core/polyfills.ts";
