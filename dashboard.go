package balcao

import "time"

// DayFiguresFinalAfter is how old a day must be before its dashboard figures are stored for
// good. A service stored, or ending, more than six days after it started drops its day's
// stored figures.
const DayFiguresFinalAfter = 7 * 24 * time.Hour

// Dashboard is a month's figures (GET /api/dashboard). Its times are capped: one past its
// cap (an assistant reply at 10 minutes, a first response or a service at 30 days) counts at
// the cap, which is then the Max, so that every service counts in the percentiles.
type Dashboard struct {
	Month          string          `json:"month"`
	Services       map[Outcome]int `json:"services"`
	Previous       map[Outcome]int `json:"previous"`
	AssistantReply Percentiles     `json:"assistantReplyUs"`  // µs
	FirstResponse  Percentiles     `json:"firstResponseMs"`   // ms, staff first response after pending
	ServiceTime    Percentiles     `json:"serviceTimeMs"`     // ms, start to end
	Distribution   []Bar           `json:"firstResponseBars"` // ms
	PerDay         []DayCount      `json:"perDay"`
	TopStaff       []StaffFigure   `json:"topStaff"`
	TopClients     []NamedCount    `json:"topClients"`
	Documents      map[string]int  `json:"documents"` // documents served, by kind
	Satisfaction   map[int]int     `json:"satisfaction"`
}

// Percentiles summarize a histogram.
type Percentiles struct {
	Count int64   `json:"count"`
	Mean  float64 `json:"mean"`
	P50   int64   `json:"p50"`
	P90   int64   `json:"p90"`
	P99   int64   `json:"p99"`
	Max   int64   `json:"max"`
}

// Bar is one bucket of a distribution.
type Bar struct {
	From  int64 `json:"from"`
	To    int64 `json:"to"`
	Count int64 `json:"count"`
}

// DayCount is the number of services of one day.
type DayCount struct {
	Day      string `json:"day"`
	Services int    `json:"services"`
}

// StaffFigure is one staff member's month.
type StaffFigure struct {
	Staff           string `json:"staff"`
	Services        int    `json:"services"`
	FirstResponseMs int64  `json:"firstResponseP50Ms"`
}

// NamedCount is a name and a count.
type NamedCount struct {
	Name  string `json:"name"`
	Count int    `json:"count"`
}

// Queues is the supervisor's live view (GET /api/queues).
type Queues struct {
	Pending       int            `json:"pending"`
	OldestPending time.Time      `json:"oldestPending,omitzero"` // since when the longest wait
	Attending     []Attendance   `json:"attending"`
	Agents        AgentsOnline   `json:"agents"`
	Jobs          map[string]int `json:"jobs"` // open jobs by request centre tab
	// Departments are the queues per department, in the office's order; conversations with no
	// department come first, under an empty ID.
	Departments []DepartmentQueue `json:"departments"`
}

// DepartmentQueue is one department's live queue.
type DepartmentQueue struct {
	ID            string    `json:"id"`
	Name          string    `json:"name"`
	Pending       int       `json:"pending"`
	OldestPending time.Time `json:"oldestPending,omitzero"`
	Attending     int       `json:"attending"`
}

// Attendance is one conversation being served.
type Attendance struct {
	Conversation string    `json:"conversation"`
	Contact      string    `json:"contact"`
	Staff        string    `json:"staff"`
	StaffName    string    `json:"staffName"`
	Since        time.Time `json:"since"`
}
