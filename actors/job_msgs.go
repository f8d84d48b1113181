package actors

import (
	"github.com/asynkron/protoactor-go/actor"

	"github.com/balcao/balcao"
	"github.com/balcao/balcao/gateway/agent"
)

// Request centre commands, sent to the office actor with System.Request.

// RetryJob is Confirmar/Repetir: a job pending at the office goes back to aguardando (and a
// job held for confirmation is confirmed).
type RetryJob struct{ ID string }

// ReplyToJob sends a staff member's message straight to the client who asked for a job.
type ReplyToJob struct {
	ID    string
	Staff string
	Text  string
}

// Messages between jobs, the agent pool and conversations.

// jobCreated tells the office a conversation stored a new job (sent once it is durable): the
// job's first actor starts from it without reading it back.
type jobCreated struct{ job balcao.Job }

// jobChanged is a job's change, durable, on its way to the conversation of the job's phone
// (through the office), which publishes it with its view: buf[start:end] is balcao.JobChanged's
// JSON, with room for the hub's stamp around it (encodeJobChanged).
type jobChanged struct {
	phone      string
	buf        []byte
	start, end int
}

// event is the change to publish, shown to the staff who may see the conversation cur.
func (m *jobChanged) event(cur *balcao.ConversationView) *framedEvent {
	return &framedEvent{buf: m.buf, start: int32(m.start), end: int32(m.end), cur: cur}
}

// deliverDocuments asks a conversation to send a job's documents; answered with *Result once
// durable (the conversation sends them once, whatever the number of asks).
type deliverDocuments struct {
	job  balcao.Job // done, as it is to be stored
	docs []balcao.StoredDocument
	// stored is the job's state on disk: unless it is processado, the documents (their records
	// and portal entries) and the job's state are stored by the batch that sends them.
	stored balcao.JobState
	// first is set on the first ask for documents just fetched: no batch that sent the job's
	// documents can have been written before it (that batch records the job delivered, and a
	// delivered job is never fetched again; the ask of an earlier actor of the job, left in the
	// office's mailbox by its failure, is dropped: office.deliverDocuments), so the conversation
	// does not look for the job's marker.
	first bool
	// ask numbers the job actor's asks (jobActor.asks), for askLost.
	ask uint64
}

// askLost tells a job's actor that its ask for delivery number ask went to a conversation actor
// that stopped without answering it, and never will (office.asksLost).
type askLost struct{ ask uint64 }

// jobPendingNotice asks a conversation to tell the client the office will take care of a job.
type jobPendingNotice struct{ job balcao.Job }

// jobReply carries ReplyToJob to the conversation of the client who asked.
type jobReply struct {
	to    string
	staff string
	text  string
}

func (m *deliverDocuments) phone() string { return m.job.Phone }
func (m *jobPendingNotice) phone() string { return m.job.Phone }
func (m *jobReply) phone() string         { return m.to }

// fetch asks the agent pool to produce a job's documents; answered with *fetched to replyTo.
type fetch struct {
	job     agent.Job
	replyTo *actor.PID
}

// fetched is the outcome of a fetch: stored files, a pending reason, or an error.
type fetched struct {
	files   []storedFile
	pending string
	err     error
}

// storedFile is a file the pool already wrote to the content-addressed store.
type storedFile struct {
	name string
	sha  string
	size int64
}

type fetchDone struct{}

type jobRetryTick struct{}

// slowFetchTick comes processingAfter after a fetch began.
type slowFetchTick struct{}
