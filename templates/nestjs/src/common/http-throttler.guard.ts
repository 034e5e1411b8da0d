import { type ExecutionContext, Injectable } from '@nestjs/common';
import { ThrottlerGuard } from '@nestjs/throttler';

/**
 * The rate limit, for HTTP requests only. As a global guard it would also run on WebSocket
 * messages, where there is no HTTP request to take a client address from, and fail them.
 */
@Injectable()
export class HttpThrottlerGuard extends ThrottlerGuard {
  protected override async shouldSkip(context: ExecutionContext): Promise<boolean> {
    return context.getType() !== 'http' || (await super.shouldSkip(context));
  }
}
