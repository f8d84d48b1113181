package actors

// What clients read on WhatsApp when the engine (not the assistant) speaks. Brazilian
// Portuguese, short and friendly.
const (
	textNotLinked = "Olá! Ainda não encontramos o seu número no cadastro do escritório. " +
		"Um atendente vai falar com você em breve. 🙂"
	textAssistantOff     = "Olá! Um atendente do escritório vai falar com você em breve. 🙂"
	textProcessingFailed = "Recebemos sua mensagem. Um atendente vai falar com você em breve."
	textPortalLink       = "Aqui está o seu link de acesso ao portal de documentos (vale por 24 horas):\n"
	textPendingOffice    = "Assim que estiver pronto, eu te envio por aqui. 🙂"
	textSurvey           = "Como você avalia este atendimento? Responda com uma nota de 1 (péssimo) a 5 (ótimo)."
	textSurveyThanks     = "Obrigado pela sua avaliação! 💚"
	textServiceFinished  = "Atendimento concluído. Obrigado pelo contato! Se precisar de algo mais, é só mandar uma mensagem. 😊"
)
