// The QR encoder, loaded only by the Conexão WhatsApp screen (its own chunk).
export { encode } from 'uqr'
