/** What flow.ts reports; kept apart so the test can load flow.ts only after generating the types it imports. */
export interface FlowResult {
  listedFileIds: string[];
  decrypted: Buffer;
  duplicateRegistrationCode: string | undefined;
  deletedStatus: number;
  afterDeleteCode: string | undefined;
}

export type GeneratedClientFlow = (baseUrl: string, password: string, plaintext: Buffer) => Promise<FlowResult>;
