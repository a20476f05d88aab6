import { ArgumentMetadata, ValidationPipe } from '@nestjs/common';
import { IsIn, IsOptional } from 'class-validator';
import { ListAudioFilesQueryDto } from '../../audio-files/dto/audio-file.dto';
import { ApiValidationPipe } from './api-validation.pipe';

class ModeQueryDto {
  @IsOptional()
  @IsIn(['a', 'b'])
  mode?: string;
}

const asQuery = (metatype: ArgumentMetadata['metatype']): ArgumentMetadata => ({ type: 'query', metatype });

describe('ApiValidationPipe: query strings', () => {
  let pipe: ApiValidationPipe;
  let validations: jest.SpyInstance;

  beforeEach(() => {
    pipe = new ApiValidationPipe();
    validations = jest.spyOn(ValidationPipe.prototype as unknown as { validate: () => unknown }, 'validate');
  });
  afterEach(() => validations.mockRestore());

  it('validates a repeated query once and hands out the same frozen DTO', async () => {
    const first = await pipe.transform({ limit: '20' }, asQuery(ListAudioFilesQueryDto));
    const second = await pipe.transform({ limit: '20' }, asQuery(ListAudioFilesQueryDto));

    expect(first).toBeInstanceOf(ListAudioFilesQueryDto);
    expect(first).toEqual({ limit: 20 });
    expect(second).toBe(first);
    expect(Object.isFrozen(first)).toBe(true);
    expect(validations).toHaveBeenCalledTimes(1);
  });

  it('validates each different query, and the same text for another DTO, on its own', async () => {
    await expect(pipe.transform({ limit: '20' }, asQuery(ListAudioFilesQueryDto))).resolves.toEqual({ limit: 20 });
    await expect(pipe.transform({ limit: '21' }, asQuery(ListAudioFilesQueryDto))).resolves.toEqual({ limit: 21 });
    await expect(pipe.transform({}, asQuery(ListAudioFilesQueryDto))).resolves.toEqual({ limit: 50 });
    await expect(pipe.transform({}, asQuery(ModeQueryDto))).resolves.toBeInstanceOf(ModeQueryDto);
    expect(validations).toHaveBeenCalledTimes(4);
  });

  it('refuses an invalid query every time it comes', async () => {
    for (let i = 0; i < 2; i++) {
      await expect(pipe.transform({ mode: 'c' }, asQuery(ModeQueryDto))).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
      await expect(pipe.transform({ limit: '20', extra: '1' }, asQuery(ListAudioFilesQueryDto))).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
    }
    expect(validations).toHaveBeenCalledTimes(4);
  });
});
