package ui

// The server's lists of the files staff may send, for the browser tests (package ui_test).
var (
	AllowedAttachments = allowedAttachments
	OfficeTypes        = officeTypes
)
