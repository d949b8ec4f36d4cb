// Fluent reads this when it loads: fonts come from this page (the form's own), never from a CDN.
(window as unknown as { FabricConfig: unknown }).FabricConfig = { fontBaseUrl: "" };
