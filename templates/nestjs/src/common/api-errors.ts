import { applyDecorators } from '@nestjs/common';
import { ApiProperty, ApiResponse } from '@nestjs/swagger';

/** The JSON body of every error (AllExceptionsFilter). */
export class ErrorBody {
  @ApiProperty({ example: 404 })
  statusCode!: number;

  @ApiProperty({
    description: 'What went wrong; a list of problems for a 400 from validation',
    oneOf: [{ type: 'string' }, { type: 'array', items: { type: 'string' } }],
  })
  message!: string | string[];

  @ApiProperty({ example: 'Not Found', required: false })
  error?: string;

  @ApiProperty({
    description: 'The X-Request-Id of the request',
    example: '0b6f6c55-3c4e-4d0a-9a51-3f6a4f2b8e11',
  })
  requestId!: string;
}

const DESCRIPTIONS: Record<number, string> = {
  400: 'Bad request: malformed JSON or a value that breaks the rules (message lists each problem)',
  404: 'Not found',
  413: 'Request body larger than BODY_LIMIT',
  422: 'Unprocessable entity',
  429: 'Too many requests from this client (THROTTLE_LIMIT per THROTTLE_TTL_MS)',
  503: 'Service unavailable',
};

/** Documents error statuses a route can answer, each with the ErrorBody schema. */
export function ApiErrors(...statuses: number[]): MethodDecorator & ClassDecorator {
  return applyDecorators(
    ...statuses.map((status) =>
      ApiResponse({ status, description: DESCRIPTIONS[status] ?? 'Error', type: ErrorBody }),
    ),
  );
}
