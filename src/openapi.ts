import type { INestApplication } from '@nestjs/common';
import { DocumentBuilder, OpenAPIObject, SwaggerModule } from '@nestjs/swagger';
import { ErrorResponseDto } from './common/http/error-response.dto';

export function buildOpenApiDocument(app: INestApplication): OpenAPIObject {
  const config = new DocumentBuilder()
    .setTitle('panzoto-backend')
    .setDescription(
      'API behind the Panzoto mobile app. Errors are always JSON `{ error, code, details?, request_id }`; ' +
        'every response carries an `X-Request-Id` header. Authenticate with `Authorization: Bearer <token>` ' +
        'from /api/register or /api/login.',
    )
    .setVersion('1')
    .addBearerAuth({ type: 'http', scheme: 'bearer', bearerFormat: 'JWT' })
    .build();
  return SwaggerModule.createDocument(app, config, { extraModels: [ErrorResponseDto] });
}
