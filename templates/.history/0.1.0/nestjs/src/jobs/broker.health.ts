import { Inject, Injectable } from '@nestjs/common';
import { type HealthIndicatorResult, HealthIndicatorService } from '@nestjs/terminus';
import { JOB_BROKER, type JobBroker } from './job-broker';

/** Readiness of the message broker, for HealthController: `broker: { status: 'up' | 'down' }`. */
@Injectable()
export class BrokerHealthIndicator {
  constructor(
    @Inject(JOB_BROKER) private readonly broker: JobBroker,
    private readonly health: HealthIndicatorService,
  ) {}

  async isHealthy(key = 'broker'): Promise<HealthIndicatorResult> {
    const indicator = this.health.check(key);
    try {
      await this.broker.ping();
      return indicator.up();
    } catch (error) {
      return indicator.down({ message: error instanceof Error ? error.message : String(error) });
    }
  }
}
