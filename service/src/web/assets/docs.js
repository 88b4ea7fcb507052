// The API documentation page (/docs): Swagger UI on the service's own /openapi.json,
// with no validator badge (it would call validator.swagger.io).
window.addEventListener("load", function () {
  window.ui = SwaggerUIBundle({
    url: "/openapi.json",
    dom_id: "#swagger-ui",
    validatorUrl: "none",
    deepLinking: true,
    tryItOutEnabled: false,
    persistAuthorization: false,
  });
});
