/** GET /api/v1/openapi.json (OpenAPI 3.1) and GET /api/docs (rendered, self-contained). */
import type { App } from '../../http/context.ts';
import { OPENAPI_PATH, openApiConfig } from './openapi.ts';
import { renderDocs } from './render.ts';

export function registerDocsRoutes(app: App): void {
  app.doc31(OPENAPI_PATH, openApiConfig);
  app.get('/api/docs', (c) =>
    c.html(renderDocs(app.getOpenAPI31Document(openApiConfig) as unknown as Record<string, unknown>)),
  );
}
