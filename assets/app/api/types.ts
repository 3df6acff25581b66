/**
 * Wire types of the gateway API as the web app uses them. Types come from the server's zod
 * schemas in `src/protocol` where they exist (type-only imports: nothing from the server is
 * bundled); the rest follow contract.md until their schemas land.
 */
export type {
  ActionResponse,
  AppEvent,
  AppEventType,
  ErrorEnvelope,
  EventOf,
  GatewayStatus,
  ImageAttachment,
  SendMessageAccepted,
  SendMessageRequest,
  StreamTicket,
  WhoAmI,
} from '../../../src/protocol/index'
export type * from './shapes/chat'
export type * from './shapes/workspace'
export type * from './shapes/extensions'
export type * from './shapes/account'
