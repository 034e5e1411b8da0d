import { Module } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { type Env } from '../config/env';
import { ITEMS_SOCKET_OPTIONS, ItemsGateway, type ItemsSocketOptions } from './items.gateway';

/** The `/ws/items` WebSocket (ItemsGateway), fed by the item event bus. */
@Module({
  providers: [
    ItemsGateway,
    {
      provide: ITEMS_SOCKET_OPTIONS,
      inject: [ConfigService],
      useFactory: (config: ConfigService<Env, true>): ItemsSocketOptions => ({
        heartbeatSeconds: config.get('WS_HEARTBEAT_SECONDS', { infer: true }),
        allowedOrigins: config.get('CORS_ORIGINS', { infer: true }),
      }),
    },
  ],
})
export class RealtimeModule {}
