import { Global, Module } from '@nestjs/common';
import { ItemEventsService } from './item-events.service';

/** The item event bus, one instance for the whole app (ItemsService publishes to it). */
@Global()
@Module({
  providers: [ItemEventsService],
  exports: [ItemEventsService],
})
export class EventsModule {}
