import { Module } from '@nestjs/common';
import { Mailer } from './mailer';
import { NodemailerMailer } from './nodemailer.mailer';

@Module({
  providers: [{ provide: Mailer, useClass: NodemailerMailer }],
  exports: [Mailer],
})
export class MailModule {}
