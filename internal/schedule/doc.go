// Package schedule is the pure date and slot maths of consultations: a
// clinician's availability rules and their validation, civil dates and
// wall-clock times, and the open slots those rules leave between existing
// bookings, correct across daylight-saving changes. It reads no database
// and serves no HTTP, so table tests and benchmarks reach it directly;
// package booking stores the rules and bookings and asks it which slots
// are open.
package schedule
