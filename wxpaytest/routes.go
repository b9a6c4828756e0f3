package wxpaytest

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/wxpay-go/wxpay/catalog"
)

// The core payment flow, with state: an order is placed (APIv3 native/jsapi/app/h5, or
// APIv2 unifiedorder) and queries answer NOTPAY; a simulated payment ([Server.Pay],
// [Server.PayAndNotify], or POST v3/wxpaytest/pay/{out_trade_no} from another process)
// makes it SUCCESS and sends the payment callback to the order's notify_url; a refund of
// a paid order is PROCESSING when created, SUCCESS from its first query on, and sends a
// REFUND.SUCCESS callback to its notify_url. Closing or reversing an order changes its state
// too. Every other catalog endpoint is answered from the catalog (catalog.go).

// needsCert reports whether an APIv2 request (path without "v2/") must come over mutual
// TLS: every secapi/ path, and the endpoints the catalog marks cert_required. This is the
// emulator's own reading of the catalog data, not the client's rule.
func needsCert(method, path string) bool {
	if strings.HasPrefix(path, "secapi/") {
		return true
	}
	m, _ := matchCatalog(method, path)
	return m != nil && slices.ContainsFunc(m.Endpoints, func(e *catalog.Endpoint) bool { return e.Has(catalog.CertRequired) })
}

const sandboxAppID = "wxd678efh567hg6787"

type order struct {
	OutTradeNo, TransactionID, AppID, MchID, NotifyURL, TradeType, Description string
	Total, Refunded                                                            int
	State                                                                      string // NOTPAY, SUCCESS, REFUND, CLOSED, REVOKED
	V2                                                                         bool   // placed through APIv2 (its callback is XML)
	Created, Paid                                                              time.Time
}

type refund struct {
	OutRefundNo, RefundID, OutTradeNo, TransactionID, NotifyURL string
	Refund, Total                                               int
	Status                                                      string // PROCESSING, SUCCESS
	Created, Done                                               time.Time
}

func (s *Server) addOrder(o *order) {
	s.mu.Lock()
	defer s.mu.Unlock()
	o.State, o.Created = "NOTPAY", s.now()
	o.TransactionID = "42000" + strconv.FormatInt(s.now().UnixNano()%1e14, 10) + nonce()[:9]
	if o.AppID == "" {
		o.AppID = sandboxAppID
	}
	s.orders[o.OutTradeNo] = o
}

// getOrder finds an order by out_trade_no or transaction_id.
func (s *Server) getOrder(outTradeNo, transactionID string) (order, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if o, ok := s.orders[outTradeNo]; ok && outTradeNo != "" {
		return *o, true
	}
	for _, o := range s.orders {
		if transactionID != "" && o.TransactionID == transactionID {
			return *o, true
		}
	}
	return order{}, false
}

// setState moves an order from one of the states in from (any state when from is empty) to state.
func (s *Server) setState(no, state string, from ...string) (order, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	o, ok := s.orders[no]
	if !ok {
		return order{}, false
	}
	if len(from) > 0 && !slices.Contains(from, o.State) {
		return *o, false
	}
	o.State = state
	if state == "SUCCESS" {
		o.Paid = s.now()
	}
	return *o, true
}

// Pay marks an unpaid order paid, as if the payer had paid, without sending the callback.
// It reports whether the order exists and was NOTPAY.
func (s *Server) Pay(outTradeNo string) bool {
	_, ok := s.setState(outTradeNo, "SUCCESS", "NOTPAY")
	return ok
}

// PayAndNotify marks an unpaid order paid and sends the payment callback to its notify_url
// as the platform does (APIv3: TRANSACTION.SUCCESS, encrypted and signed; APIv2: the signed
// XML pay result). It returns the merchant's reply status (0 when the order has no
// notify_url).
func (s *Server) PayAndNotify(ctx context.Context, outTradeNo string) (int, error) {
	o, ok := s.setState(outTradeNo, "SUCCESS", "NOTPAY")
	if !ok {
		if o.OutTradeNo == "" {
			return 0, fmt.Errorf("wxpaytest: no order %q", outTradeNo)
		}
		return 0, fmt.Errorf("wxpaytest: order %q is %s, not NOTPAY", outTradeNo, o.State)
	}
	if o.NotifyURL == "" {
		return 0, nil
	}
	var h http.Header
	var body []byte
	if o.V2 {
		body = s.NotificationV2([][2]string{{"appid", o.AppID}, {"mch_id", o.MchID}, {"result_code", "SUCCESS"},
			{"openid", "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o"}, {"trade_type", o.TradeType}, {"bank_type", "OTHERS"},
			{"total_fee", strconv.Itoa(o.Total)}, {"cash_fee", strconv.Itoa(o.Total)}, {"transaction_id", o.TransactionID},
			{"out_trade_no", o.OutTradeNo}, {"time_end", o.Paid.In(chinaTime).Format("20060102150405")}})
	} else {
		var err error
		if h, body, err = s.NotificationV3("TRANSACTION.SUCCESS", "transaction", s.transaction(o)); err != nil {
			return 0, err
		}
	}
	status, _, err := s.SendNotification(ctx, o.NotifyURL, h, body)
	return status, err
}

// transaction is the platform's view of an order (query answer, callback resource).
func (s *Server) transaction(o order) map[string]any {
	t := map[string]any{
		"appid": o.AppID, "mchid": o.MchID, "out_trade_no": o.OutTradeNo, "trade_type": o.TradeType,
		"description": o.Description, "notify_url": o.NotifyURL,
		"trade_state": o.State, "trade_state_desc": stateDesc[o.State],
		"amount": map[string]any{"total": o.Total, "payer_total": 0, "currency": "CNY"},
	}
	if !o.Paid.IsZero() {
		t["transaction_id"] = o.TransactionID
		t["bank_type"] = "OTHERS"
		t["success_time"] = o.Paid.In(chinaTime).Format(time.RFC3339)
		t["payer"] = map[string]string{"openid": "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o"}
		t["amount"] = map[string]any{"total": o.Total, "payer_total": o.Total, "currency": "CNY", "payer_currency": "CNY"}
	}
	return t
}

var stateDesc = map[string]string{"NOTPAY": "未支付", "SUCCESS": "支付成功", "REFUND": "转入退款",
	"CLOSED": "已关闭", "REVOKED": "已撤销"}

func apiError(status int, code, message string) *Reply {
	return &Reply{Status: status, JSON: map[string]string{"code": code, "message": message}}
}

// paramError is the platform's answer to a bad body field.
func paramError(field, issue string) *Reply { return locatedError("body", field, issue) }

// locatedError is 400 PARAM_ERROR for a field at location (path, query or body).
func locatedError(location, field, issue string) *Reply {
	return &Reply{Status: http.StatusBadRequest, JSON: map[string]any{
		"code": "PARAM_ERROR", "message": "参数错误: " + field + " " + issue,
		"detail": map[string]string{"location": location, "field": field, "issue": issue}}}
}

var errNoOrder = apiError(http.StatusNotFound, "ORDER_NOT_EXIST", "订单不存在")

// installDefaultRoutes serves the core payment endpoints with state; tests add more
// with Handle, and the catalog answers the rest.
func (s *Server) installDefaultRoutes() {
	if s.keyMode { // a public-key merchant has no platform certificates to download
		s.HandleCertificatesNotFound()
	} else {
		s.HandleCertificates()
	}
	s.HandleUploads()
	for _, tt := range []string{"native", "jsapi", "app", "h5"} {
		s.Handle(http.MethodPost, "v3/pay/transactions/"+tt, s.v3Order(tt))
	}
	query := func(r *Request) *Reply {
		if r.Query.Get("mchid") != s.MchID {
			return locatedError("query", "mchid", "is not this merchant")
		}
		o, ok := s.getOrder(r.Params["out_trade_no"], r.Params["transaction_id"])
		if !ok {
			return errNoOrder
		}
		return &Reply{JSON: s.transaction(o)}
	}
	s.Handle(http.MethodGet, "v3/pay/transactions/out-trade-no/{out_trade_no}", query)
	s.Handle(http.MethodGet, "v3/pay/transactions/id/{transaction_id}", query)
	s.Handle(http.MethodPost, "v3/pay/transactions/out-trade-no/{out_trade_no}/close", func(r *Request) *Reply {
		o, ok := s.getOrder(r.Params["out_trade_no"], "")
		switch {
		case !ok:
			return errNoOrder
		case o.State == "SUCCESS" || o.State == "REFUND":
			return apiError(http.StatusBadRequest, "ORDER_PAID", "订单已支付")
		}
		s.setState(o.OutTradeNo, "CLOSED", "NOTPAY") // closed, revoked: already final
		return &Reply{Status: http.StatusNoContent}
	})
	s.Handle(http.MethodPost, "hk/v3/transactions/out-trade-no/{out_trade_no}/reverse", func(r *Request) *Reply {
		var b struct{ Mchid, SpMchid, SubMchid string }
		if json.Unmarshal(r.Body, &b) != nil {
			return paramError("body", "is not JSON")
		}
		s.setState(r.Params["out_trade_no"], "REVOKED")
		return &Reply{Status: http.StatusNoContent}
	})
	s.Handle(http.MethodPost, "v3/wxpaytest/pay/{out_trade_no}", func(r *Request) *Reply {
		no := r.Params["out_trade_no"]
		if o, ok := s.getOrder(no, ""); !ok {
			return errNoOrder
		} else if o.State != "NOTPAY" {
			return apiError(http.StatusBadRequest, "INVALID_REQUEST", "订单状态为"+o.State+"，不能支付")
		}
		status, err := s.PayAndNotify(r.ctx, no)
		o, _ := s.getOrder(no, "")
		if o.State != "SUCCESS" {
			return apiError(http.StatusBadRequest, "INVALID_REQUEST", err.Error())
		}
		answer := map[string]any{"out_trade_no": no, "transaction_id": o.TransactionID, "trade_state": o.State,
			"notify_url": o.NotifyURL, "notify_status": status}
		if err != nil {
			answer["notify_error"] = err.Error()
		}
		return &Reply{JSON: answer}
	})
	s.Handle(http.MethodPost, "v3/refund/domestic/refunds", s.v3Refund)
	s.Handle(http.MethodGet, "v3/refund/domestic/refunds/{out_refund_no}", func(r *Request) *Reply {
		s.mu.Lock()
		rf, ok := s.refunds[r.Params["out_refund_no"]]
		if ok && rf.Status == "PROCESSING" {
			rf.Status, rf.Done = "SUCCESS", s.now()
		}
		var v refund
		if ok {
			v = *rf
		}
		s.mu.Unlock()
		if !ok {
			return apiError(http.StatusNotFound, "RESOURCE_NOT_EXISTS", "退款单不存在")
		}
		return &Reply{JSON: refundView(v)}
	})
	s.installV2Routes()
}

func (s *Server) v3Order(tradeType string) HandlerFunc {
	return func(r *Request) *Reply {
		var b struct {
			Appid       string `json:"appid"`
			Mchid       string `json:"mchid"`
			Description string `json:"description"`
			OutTradeNo  string `json:"out_trade_no"`
			NotifyURL   string `json:"notify_url"`
			Amount      *struct {
				Total int `json:"total"`
			} `json:"amount"`
		}
		if err := json.Unmarshal(r.Body, &b); err != nil {
			return paramError("body", "is not JSON: "+err.Error())
		}
		switch { // the catalog's checks (required fields, types) have passed
		case b.Mchid != s.MchID:
			return paramError("mchid", "is not this merchant")
		case b.Amount == nil || b.Amount.Total <= 0:
			return paramError("amount.total", "must be a positive integer")
		}
		// Placing an unpaid order again with the same amount is idempotent, as on the
		// platform; a paid, closed or different order under the same number is refused.
		o, dup := s.getOrder(b.OutTradeNo, "")
		if dup && (o.State != "NOTPAY" || o.Total != b.Amount.Total) {
			return apiError(http.StatusBadRequest, "ORDER_NO_DUPLICATE", "商户订单号重复")
		}
		if !dup {
			s.addOrder(&order{OutTradeNo: b.OutTradeNo, AppID: b.Appid, MchID: b.Mchid, NotifyURL: b.NotifyURL, Description: b.Description,
				TradeType: map[string]string{"native": "NATIVE", "jsapi": "JSAPI", "app": "APP", "h5": "MWEB"}[tradeType],
				Total:     b.Amount.Total})
		}
		switch tradeType {
		case "native":
			return &Reply{JSON: map[string]string{"code_url": "weixin://wxpay/bizpayurl?pr=" + nonce()[:7]}}
		case "h5":
			return &Reply{JSON: map[string]string{"h5_url": "https://wx.tenpay.com/cgi-bin/mmpayweb-bin/checkmweb?prepay_id=wx" + nonce()[:30]}}
		}
		return &Reply{JSON: map[string]string{"prepay_id": "wx" + nonce()[:30]}}
	}
}

// v3Refund refunds a paid order: the refund is PROCESSING, and SUCCESS from its first
// query on; the REFUND.SUCCESS callback goes to its notify_url in the background.
func (s *Server) v3Refund(r *Request) *Reply {
	var b struct {
		TransactionID string `json:"transaction_id"`
		OutTradeNo    string `json:"out_trade_no"`
		OutRefundNo   string `json:"out_refund_no"`
		NotifyURL     string `json:"notify_url"`
		Amount        *struct {
			Refund   *int   `json:"refund"`
			Total    *int   `json:"total"`
			Currency string `json:"currency"`
		} `json:"amount"`
	}
	if err := json.Unmarshal(r.Body, &b); err != nil {
		return paramError("body", "is not JSON: "+err.Error())
	}
	switch { // the catalog's checks (required fields, types) have passed
	case b.TransactionID == "" && b.OutTradeNo == "":
		return paramError("out_trade_no", "or transaction_id is required")
	case b.Amount == nil || b.Amount.Refund == nil || b.Amount.Total == nil:
		return paramError("amount", "needs refund and total")
	case *b.Amount.Refund <= 0:
		return paramError("amount.refund", "must be a positive integer")
	case b.Amount.Currency != "CNY":
		return paramError("amount.currency", "must be CNY")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	var o *order
	for _, v := range s.orders {
		if (b.OutTradeNo != "" && v.OutTradeNo == b.OutTradeNo) || (b.TransactionID != "" && v.TransactionID == b.TransactionID) {
			o = v
		}
	}
	switch {
	case o == nil:
		return apiError(http.StatusNotFound, "RESOURCE_NOT_EXISTS", "订单不存在")
	case o.State != "SUCCESS" && o.State != "REFUND":
		return apiError(http.StatusForbidden, "INVALID_REQUEST", "订单状态为"+o.State+"，不能退款")
	case *b.Amount.Total != o.Total:
		return paramError("amount.total", "is not the order's total "+strconv.Itoa(o.Total))
	case s.refunds[b.OutRefundNo] != nil:
		return &Reply{JSON: refundView(*s.refunds[b.OutRefundNo])} // the same refund again: idempotent
	case o.Refunded+*b.Amount.Refund > o.Total:
		return apiError(http.StatusBadRequest, "INVALID_REQUEST", "申请退款金额超过订单可退金额")
	}
	o.Refunded += *b.Amount.Refund
	o.State = "REFUND"
	rf := &refund{OutRefundNo: b.OutRefundNo, RefundID: "50000" + strconv.FormatInt(s.now().UnixNano()%1e14, 10) + nonce()[:10],
		OutTradeNo: o.OutTradeNo, TransactionID: o.TransactionID, NotifyURL: b.NotifyURL,
		Refund: *b.Amount.Refund, Total: o.Total, Status: "PROCESSING", Created: s.now()}
	s.refunds[rf.OutRefundNo] = rf
	if rf.NotifyURL != "" {
		done := *rf
		done.Status, done.Done = "SUCCESS", s.now()
		s.background(func(ctx context.Context) {
			h, body, err := s.NotificationV3("REFUND.SUCCESS", "refund", map[string]any{
				"mchid": s.MchID, "out_trade_no": done.OutTradeNo, "transaction_id": done.TransactionID,
				"out_refund_no": done.OutRefundNo, "refund_id": done.RefundID, "refund_status": "SUCCESS",
				"success_time": done.Done.In(chinaTime).Format(time.RFC3339), "user_received_account": "支付用户零钱",
				"amount": map[string]int{"total": done.Total, "refund": done.Refund, "payer_total": done.Total, "payer_refund": done.Refund}})
			if err == nil {
				_, _, _ = s.SendNotification(ctx, done.NotifyURL, h, body)
			}
		})
	}
	return &Reply{JSON: refundView(*rf)}
}

func refundView(rf refund) map[string]any {
	v := map[string]any{
		"refund_id": rf.RefundID, "out_refund_no": rf.OutRefundNo, "transaction_id": rf.TransactionID,
		"out_trade_no": rf.OutTradeNo, "channel": "ORIGINAL", "user_received_account": "支付用户零钱",
		"create_time": rf.Created.In(chinaTime).Format(time.RFC3339), "status": rf.Status, "funds_account": "AVAILABLE",
		"amount": map[string]any{"total": rf.Total, "refund": rf.Refund, "payer_total": rf.Total, "payer_refund": rf.Refund,
			"settlement_refund": rf.Refund, "settlement_total": rf.Total, "discount_refund": 0, "currency": "CNY"},
	}
	if !rf.Done.IsZero() {
		v["success_time"] = rf.Done.In(chinaTime).Format(time.RFC3339)
	}
	return v
}

// installV2Routes serves the APIv2 side of the flow: unifiedorder, orderquery, closeorder,
// secapi reverse and refund.
func (s *Server) installV2Routes() {
	s.Handle(http.MethodPost, "pay/unifiedorder", func(r *Request) *Reply {
		for _, f := range []string{"appid", "mch_id", "nonce_str", "body", "out_trade_no", "total_fee", "spbill_create_ip", "notify_url", "trade_type"} {
			if r.Fields[f] == "" {
				return &Reply{Fields: [][2]string{{"return_code", "FAIL"}, {"return_msg", "缺少参数" + f}}, Unsigned: true}
			}
		}
		total, _ := strconv.Atoi(r.Fields["total_fee"])
		s.addOrder(&order{OutTradeNo: r.Fields["out_trade_no"], AppID: r.Fields["appid"], MchID: r.Fields["mch_id"], Description: r.Fields["body"],
			NotifyURL: r.Fields["notify_url"], TradeType: r.Fields["trade_type"], Total: total, V2: true})
		return &Reply{Fields: s.v2OK(r, [2]string{"trade_type", r.Fields["trade_type"]},
			[2]string{"prepay_id", "wx" + nonce()[:28]}, [2]string{"code_url", "weixin://wxpay/bizpayurl?pr=" + nonce()[:7]})}
	})
	s.Handle(http.MethodPost, "pay/orderquery", func(r *Request) *Reply {
		o, ok := s.getOrder(r.Fields["out_trade_no"], r.Fields["transaction_id"])
		if !ok {
			return &Reply{Fields: s.v2Fail(r, "ORDERNOTEXIST", "此交易订单号不存在")}
		}
		return &Reply{Fields: s.v2OK(r, [2]string{"out_trade_no", o.OutTradeNo}, [2]string{"trade_state", o.State},
			[2]string{"total_fee", strconv.Itoa(o.Total)}, [2]string{"transaction_id", o.TransactionID})}
	})
	s.Handle(http.MethodPost, "pay/closeorder", func(r *Request) *Reply {
		o, ok := s.getOrder(r.Fields["out_trade_no"], "")
		switch {
		case !ok:
			return &Reply{Fields: s.v2Fail(r, "ORDERNOTEXIST", "订单不存在")}
		case o.State == "SUCCESS" || o.State == "REFUND":
			return &Reply{Fields: s.v2Fail(r, "ORDERPAID", "订单已支付")}
		}
		s.setState(o.OutTradeNo, "CLOSED", "NOTPAY")
		return &Reply{Fields: s.v2OK(r)}
	})
	s.Handle(http.MethodPost, "secapi/pay/reverse", func(r *Request) *Reply {
		if _, ok := s.setState(r.Fields["out_trade_no"], "REVOKED"); !ok {
			return &Reply{Fields: s.v2Fail(r, "ORDERNOTEXIST", "订单不存在")}
		}
		return &Reply{Fields: s.v2OK(r, [2]string{"recall", "N"})}
	})
	s.Handle(http.MethodPost, "secapi/pay/refund", s.v2Refund)
	s.Handle(http.MethodPost, "pay/refundquery", s.v2RefundQuery)
}

// v2RefundQuery answers pay/refundquery from the refunds' state: by out_refund_no or
// refund_id that refund, by out_trade_no or transaction_id every refund of the order,
// numbered _0, _1, … in the order they were made. A refund is SUCCESS from its first
// query on, as with APIv3.
func (s *Server) v2RefundQuery(r *Request) *Reply {
	f := r.Fields
	s.mu.Lock()
	var list []*refund
	for _, rf := range s.refunds {
		if (f["out_refund_no"] != "" && rf.OutRefundNo == f["out_refund_no"]) || (f["refund_id"] != "" && rf.RefundID == f["refund_id"]) ||
			(f["out_refund_no"] == "" && f["refund_id"] == "" &&
				((f["out_trade_no"] != "" && rf.OutTradeNo == f["out_trade_no"]) || (f["transaction_id"] != "" && rf.TransactionID == f["transaction_id"]))) {
			list = append(list, rf)
		}
	}
	slices.SortFunc(list, func(a, b *refund) int { return a.Created.Compare(b.Created) })
	var views []refund
	for _, rf := range list {
		if rf.Status == "PROCESSING" {
			rf.Status, rf.Done = "SUCCESS", s.now()
		}
		views = append(views, *rf)
	}
	s.mu.Unlock()
	if len(views) == 0 {
		return &Reply{Fields: s.v2Fail(r, "REFUNDNOTEXIST", "not exist")}
	}
	o, _ := s.getOrder(views[0].OutTradeNo, "")
	fields := []([2]string){{"transaction_id", o.TransactionID}, {"out_trade_no", o.OutTradeNo},
		{"total_fee", strconv.Itoa(o.Total)}, {"cash_fee", strconv.Itoa(o.Total)}, {"refund_count", strconv.Itoa(len(views))}}
	for i, rf := range views {
		n := "_" + strconv.Itoa(i)
		fields = append(fields, [2]string{"out_refund_no" + n, rf.OutRefundNo}, [2]string{"refund_id" + n, rf.RefundID},
			[2]string{"refund_fee" + n, strconv.Itoa(rf.Refund)}, [2]string{"refund_status" + n, rf.Status},
			[2]string{"refund_recv_accout" + n, "支付用户的零钱"},
			[2]string{"refund_success_time" + n, rf.Done.In(chinaTime).Format("2006-01-02 15:04:05")})
	}
	return &Reply{Fields: s.v2OK(r, fields...)}
}

// v2Refund refunds a paid order through APIv2, with the same state as v3Refund: the
// platform's refusals (an unknown or unpaid order, a total_fee that is not the order's, an
// amount over what is left, a fully refunded order, the same out_refund_no with other
// amounts), and the encrypted refund callback (req_info) to the refund's notify_url, or
// the order's when the request gives none.
func (s *Server) v2Refund(r *Request) *Reply {
	total, err1 := strconv.Atoi(r.Fields["total_fee"])
	fee, err2 := strconv.Atoi(r.Fields["refund_fee"])
	if err1 != nil || err2 != nil || fee <= 0 || total <= 0 {
		return &Reply{Fields: [][2]string{{"return_code", "FAIL"}, {"return_msg", "invalid total_fee or refund_fee"}}, Unsigned: true}
	}
	if fee > total {
		return &Reply{Fields: [][2]string{{"return_code", "FAIL"}, {"return_msg", "invalid refund_fee"}}, Unsigned: true}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	var o *order
	for _, v := range s.orders {
		if (r.Fields["out_trade_no"] != "" && v.OutTradeNo == r.Fields["out_trade_no"]) ||
			(r.Fields["transaction_id"] != "" && v.TransactionID == r.Fields["transaction_id"]) {
			o = v
		}
	}
	prev := s.refunds[r.Fields["out_refund_no"]]
	switch {
	case o == nil:
		return &Reply{Fields: s.v2Fail(r, "ORDERNOTEXIST", "订单不存在")}
	case o.State != "SUCCESS" && o.State != "REFUND":
		return &Reply{Fields: s.v2Fail(r, "ERROR", "订单状态错误")}
	case prev != nil && (prev.OutTradeNo != o.OutTradeNo || prev.Refund != fee || prev.Total != total):
		return &Reply{Fields: s.v2Fail(r, "REFUND_FEE_MISMATCH", "订单金额或退款金额与之前请求不一致，请核实后再试")}
	case prev != nil: // the same refund again: idempotent
		return &Reply{Fields: s.v2RefundOK(r, *o, *prev)}
	case total != o.Total:
		return &Reply{Fields: s.v2Fail(r, "REFUND_FEE_MISMATCH", "订单金额或退款金额与之前请求不一致，请核实后再试")}
	case o.Refunded >= o.Total:
		return &Reply{Fields: s.v2Fail(r, "ERROR", "订单已全额退款")}
	case o.Refunded+fee > o.Total:
		return &Reply{Fields: s.v2Fail(r, "INVALID_REQUEST", "refund_fee大于可退金额")}
	}
	o.Refunded += fee
	o.State = "REFUND"
	notifyURL := r.Fields["notify_url"]
	if notifyURL == "" {
		notifyURL = o.NotifyURL
	}
	rf := &refund{OutRefundNo: r.Fields["out_refund_no"], RefundID: "50000" + strconv.FormatInt(s.now().UnixNano()%1e14, 10) + nonce()[:10],
		OutTradeNo: o.OutTradeNo, TransactionID: o.TransactionID, NotifyURL: notifyURL,
		Refund: fee, Total: o.Total, Status: "PROCESSING", Created: s.now()}
	s.refunds[rf.OutRefundNo] = rf
	if notifyURL != "" {
		done, appID := *rf, o.AppID
		done.Done = s.now()
		s.background(func(ctx context.Context) {
			body, err := s.refundNotificationV2(appID, [][2]string{
				{"transaction_id", done.TransactionID}, {"out_trade_no", done.OutTradeNo},
				{"refund_id", done.RefundID}, {"out_refund_no", done.OutRefundNo},
				{"total_fee", strconv.Itoa(done.Total)}, {"settlement_total_fee", strconv.Itoa(done.Total)},
				{"refund_fee", strconv.Itoa(done.Refund)}, {"settlement_refund_fee", strconv.Itoa(done.Refund)},
				{"refund_status", "SUCCESS"}, {"success_time", done.Done.In(chinaTime).Format("2006-01-02 15:04:05")},
				{"refund_recv_accout", "支付用户的零钱"}, {"refund_account", "REFUND_SOURCE_RECHARGE_FUNDS"},
				{"refund_request_source", "API"}})
			if err == nil {
				_, _, _ = s.SendNotification(ctx, done.NotifyURL, nil, body)
			}
		})
	}
	return &Reply{Fields: s.v2RefundOK(r, *o, *rf)}
}

// v2RefundOK is the answer to an accepted APIv2 refund.
func (s *Server) v2RefundOK(r *Request, o order, rf refund) [][2]string {
	return s.v2OK(r, [2]string{"transaction_id", o.TransactionID}, [2]string{"out_trade_no", o.OutTradeNo},
		[2]string{"out_refund_no", rf.OutRefundNo}, [2]string{"refund_id", rf.RefundID},
		[2]string{"refund_fee", strconv.Itoa(rf.Refund)}, [2]string{"total_fee", strconv.Itoa(rf.Total)},
		[2]string{"cash_fee", strconv.Itoa(rf.Total)}, [2]string{"cash_refund_fee", strconv.Itoa(rf.Refund)})
}

// v2OK is a successful APIv2 answer: the common fields, then extra.
func (s *Server) v2OK(r *Request, extra ...[2]string) [][2]string {
	f := [][2]string{{"return_code", "SUCCESS"}, {"return_msg", "OK"}, {"appid", r.Fields["appid"]},
		{"mch_id", r.Fields["mch_id"]}, {"nonce_str", nonce()}, {"result_code", "SUCCESS"}}
	return append(f, extra...)
}

// v2Fail is a business failure (return_code SUCCESS, result_code FAIL), signed.
func (s *Server) v2Fail(r *Request, code, des string) [][2]string {
	return [][2]string{{"return_code", "SUCCESS"}, {"return_msg", "OK"}, {"appid", r.Fields["appid"]},
		{"mch_id", r.Fields["mch_id"]}, {"nonce_str", nonce()}, {"result_code", "FAIL"},
		{"err_code", code}, {"err_code_des", des}}
}

// background runs f in a goroutine that Close cancels and waits for.
func (s *Server) background(f func(ctx context.Context)) {
	s.bg.Add(1)
	go func() {
		defer s.bg.Done()
		f(s.bgCtx)
	}()
}
