package bench

import (
	"context"

	"github.com/balcao/balcao/gateway/agent"
)

// payslip is the document the harness's accounting system answers with: a tiny but valid PDF
// header.
var payslip = []byte("%PDF-1.4\n% holerite de bench\n%%EOF\n")

// payslips is the harness's execution agent: an embedded document source that answers every
// request at once with one PDF, so that a document request runs its whole path (job, fetch,
// file store, portal, the document in the chat) and not only its start.
type payslips struct{}

func (payslips) Fetch(context.Context, agent.Job) (agent.Result, error) {
	return agent.Result{Files: []agent.File{{Name: "holerite.pdf", Data: payslip}}}, nil
}

var _ agent.Source = payslips{}
