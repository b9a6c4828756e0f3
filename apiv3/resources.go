package apiv3

// The decrypted resources of the callbacks WeChat Pay sends (Notification.Decode): the
// catalog describes the callback's envelope (WebhooksRequest) but not what its resource
// decrypts to, so these are written by hand, from the platform's callback documentation,
// and checked against the emulator's callbacks (TestTypedCallbackResources).

// TransactionResource is the resource of a payment callback (TRANSACTION.SUCCESS,
// original_type "transaction"): the same shape as the order query's answer.
type TransactionResource = PayTransactionsOutTradeNoAnswer

// RefundResource is the resource of a refund callback (REFUND.SUCCESS, REFUND.ABNORMAL,
// REFUND.CLOSED; original_type "refund").
type RefundResource struct {
	Mchid               string `json:"mchid,omitempty"`
	SpMchid             string `json:"sp_mchid,omitempty"`  // 服务商 callbacks
	SubMchid            string `json:"sub_mchid,omitempty"` // 服务商 callbacks
	OutTradeNo          string `json:"out_trade_no,omitempty"`
	TransactionID       string `json:"transaction_id,omitempty"`
	OutRefundNo         string `json:"out_refund_no,omitempty"`
	RefundID            string `json:"refund_id,omitempty"`
	RefundStatus        string `json:"refund_status,omitempty"` // SUCCESS, CLOSED, ABNORMAL
	SuccessTime         string `json:"success_time,omitempty"`  // RFC 3339
	UserReceivedAccount string `json:"user_received_account,omitempty"`
	Amount              *struct {
		Total       int64 `json:"total"`        // the order's amount, in fen
		Refund      int64 `json:"refund"`       // this refund, in fen
		PayerTotal  int64 `json:"payer_total"`  // what the payer paid, in fen
		PayerRefund int64 `json:"payer_refund"` // what the payer gets back, in fen
	} `json:"amount,omitempty"`
}
