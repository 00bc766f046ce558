package audit

// Actions of the admin area: accounts, tokens, clinicians, settings and
// email. Like the others, their names are stable.
const (
	AccountCreate         = "account.create"
	AccountRoleChange     = "account.role_change"
	AccountReactivate     = "account.reactivate"
	AccountPasswordReset  = "account.password_reset"
	AccountPasswordChange = "account.password_change"
	TokenCreate           = "token.create"
	TokenRevoke           = "token.revoke"
	ClinicianCreate       = "clinician.create"
	ClinicianUpdate       = "clinician.update"
	SettingsUpdate        = "settings.update"
	EmailRetry            = "email.retry"
)

// Record types of the admin area.
const (
	TypeToken     = "api_token"
	TypeClinician = "clinician"
	TypeSettings  = "practice_settings"
	TypeEmail     = "outbox_message"
)
