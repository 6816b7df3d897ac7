declare module "*.svelte";
