// The API reference page (/docs): the vendored Swagger UI rendering the
// server's own OpenAPI document. An external module because the page's
// Content-Security-Policy allows no inline script.

/* global SwaggerUIBundle */
SwaggerUIBundle({
  url: "/openapi.json",
  dom_id: "#api-reference",
  presets: [SwaggerUIBundle.presets.apis],
  layout: "BaseLayout",
  deepLinking: true,
  // The public validator badge is an image from another origin, which the
  // policy (and an offline machine) would refuse.
  validatorUrl: null,
  // "Authorize" takes the bearer token for "Try it out"; it is kept only in
  // this page's memory.
  persistAuthorization: false,
});
