import { Global, Module } from '@nestjs/common';
import { ConfigModule, ConfigService, registerAs } from '@nestjs/config';
import { AppConfig } from './app-config';
import { validateEnvironment } from './environment';

const APP_CONFIG_NAMESPACE = 'app';

/** Runs after `@nestjs/config` has merged `.env` into the environment; throws on any bad variable. */
const loadAppConfig = registerAs(APP_CONFIG_NAMESPACE, () => new AppConfig(validateEnvironment(process.env)));

@Global()
@Module({
  imports: [
    ConfigModule.forRoot({
      ignoreEnvFile: process.env.NODE_ENV === 'test',
      load: [loadAppConfig],
    }),
  ],
  providers: [
    {
      provide: AppConfig,
      inject: [ConfigService],
      useFactory: (config: ConfigService) => config.getOrThrow<AppConfig>(APP_CONFIG_NAMESPACE),
    },
  ],
  exports: [AppConfig],
})
export class AppConfigModule {}
