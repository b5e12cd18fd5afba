// Starts Swagger UI from local assets on the API docs page.
window.addEventListener("DOMContentLoaded", function () {
  var element = document.getElementById("swagger-ui");
  SwaggerUIBundle({ url: element.dataset.openapiUrl, dom_id: "#swagger-ui", deepLinking: true });
});
