package whatsapp

// Texts staff read in the inbox when an attachment could not be kept. Every text a person reads
// is Brazilian Portuguese; they are all here.
const (
	noteMediaTooLarge    = "[arquivo não recebido: maior que o limite de %d MB]"
	noteMediaUnavailable = "[arquivo não recebido: o WhatsApp não o entregou]"
)

// Texts of Status.Error, shown to staff on Conexão WhatsApp next to the state (which the web
// client names). They say what happened and what to do; the technical detail (whatsmeow's
// error, the reason code) goes to the log only (statusDetail).
const (
	errQRExpired      = "O QR Code expirou sem ser lido."
	errPairingFailed  = "Não foi possível concluir o pareamento."
	errConnectFailed  = "Não foi possível conectar ao WhatsApp. O Balcão tenta de novo sozinho."
	errStreamReplaced = "Outro programa se conectou com este mesmo vínculo do WhatsApp."
	errClientOutdated = "O WhatsApp recusou esta versão do Balcão. Atualize o Balcão."
	errKeepAlive      = "O WhatsApp parou de responder. O Balcão tenta de novo sozinho."
	errNoMultidevice  = "O celular leu o código sem suporte a aparelhos conectados. Atualize o WhatsApp do celular."
	errLoggedOut      = "O WhatsApp desconectou este aparelho (pelo celular ou por inatividade)."
	errTemporaryBan   = "O WhatsApp suspendeu este número temporariamente. O Balcão tenta de novo quando a suspensão acabar."
	errRefused        = "O WhatsApp recusou a conexão. O Balcão tenta de novo em alguns minutos."
)
