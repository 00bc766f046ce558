package audit

// IntakePartnerContact is staff allowing, after talking to the client, a
// couple's partner who did not know about the request to be contacted.
// Its record is the intake.
const IntakePartnerContact = "intake.partner_contact_allow"
