import type { ServiceContext } from '../service-context'
import type { MemoryPort } from '../memory/port'
import { libraryTextExtractor } from './text-extractor'
import { UploadService } from './upload-service'

/** The default uploads subsystem: needs nothing but memory (for `/api/memory/upload`), read when used. */
export function createUploadService(ctx: ServiceContext, siblings: { memory: () => MemoryPort | undefined }): UploadService {
  return new UploadService({ config: ctx.config.uploads, extractor: libraryTextExtractor, memory: siblings.memory })
}
