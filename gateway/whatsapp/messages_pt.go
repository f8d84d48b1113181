package whatsapp

// Texts staff read in the inbox when an attachment could not be kept. Every text a person reads
// is Brazilian Portuguese; they are all here.
const (
	noteMediaTooLarge    = "[arquivo não recebido: maior que o limite de %d MB]"
	noteMediaUnavailable = "[arquivo não recebido: o WhatsApp não o entregou]"
)
