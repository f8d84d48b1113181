package actors

// What clients read on WhatsApp when the engine (not the assistant) speaks. Brazilian
// Portuguese, short and friendly.
const (
	textNotLinked = "Olá! Ainda não encontramos o seu número no cadastro do escritório. " +
		"Um atendente vai falar com você em breve. 🙂"
	textAssistantOff     = "Olá! Um atendente do escritório vai falar com você em breve. 🙂"
	textDocumentHandover = "Seu pedido foi registrado. Um atendente vai enviar o documento para você em breve."
	textProcessingFailed = "Recebemos sua mensagem. Um atendente vai falar com você em breve."
	textServiceFinished  = "Atendimento concluído. Obrigado pelo contato! Se precisar de algo mais, é só mandar uma mensagem. 😊"
)
