package wxpaytest

import (
	"encoding/json"
	"net/http"
	"strconv"
	"time"

	"github.com/wxpay-go/wxpay/transport"
)

// needsCert is the client's own rule (the catalog's cert_required list and secapi/):
// the emulator enforces the same list the platform publishes.
func needsCert(path string) bool { return transport.NeedsClientCert(path) }

type order struct {
	OutTradeNo string
	Total      int
	State      string // NOTPAY, SUCCESS, CLOSED, REVOKED
	Created    time.Time
}

func (s *Server) addOrder(no string, total int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.orders[no] = &order{OutTradeNo: no, Total: total, State: "NOTPAY", Created: s.now()}
}

func (s *Server) getOrder(no string) (order, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	o, ok := s.orders[no]
	if !ok {
		return order{}, false
	}
	return *o, true
}

func (s *Server) setState(no, state string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	o, ok := s.orders[no]
	if ok {
		o.State = state
	}
	return ok
}

// Pay marks an order paid, as if the payer had scanned and paid.
func (s *Server) Pay(outTradeNo string) bool { return s.setState(outTradeNo, "SUCCESS") }

func paramError(detail string) *Reply {
	return &Reply{Status: http.StatusBadRequest, JSON: map[string]any{
		"code": "PARAM_ERROR", "message": "参数错误", "detail": map[string]string{"location": "body", "field": detail}}}
}

// installDefaultRoutes serves the core payment endpoints with state; tests add more
// with Handle.
func (s *Server) installDefaultRoutes() {
	if s.keyMode { // a public-key merchant has no platform certificates to download
		s.HandleCertificatesNotFound()
	} else {
		s.HandleCertificates()
	}
	s.HandleUploads()
	s.Handle(http.MethodPost, "v3/pay/transactions/native", s.v3Order("code_url"))
	s.Handle(http.MethodPost, "v3/pay/transactions/jsapi", s.v3Order("prepay_id"))
	s.Handle(http.MethodGet, "v3/pay/transactions/out-trade-no/{out_trade_no}", func(r *Request) *Reply {
		if r.Query.Get("mchid") != s.MchID {
			return paramError("mchid")
		}
		o, ok := s.getOrder(r.Params["out_trade_no"])
		if !ok {
			return &Reply{Status: http.StatusNotFound, JSON: map[string]string{"code": "ORDER_NOT_EXIST", "message": "订单不存在"}}
		}
		return &Reply{JSON: map[string]any{
			"appid": "wxd678efh567hg6787", "mchid": s.MchID, "out_trade_no": o.OutTradeNo,
			"trade_state": o.State, "amount": map[string]any{"total": o.Total, "currency": "CNY"},
		}}
	})
	s.Handle(http.MethodPost, "v3/pay/transactions/out-trade-no/{out_trade_no}/close", func(r *Request) *Reply {
		if !s.setState(r.Params["out_trade_no"], "CLOSED") {
			return &Reply{Status: http.StatusNotFound, JSON: map[string]string{"code": "ORDER_NOT_EXIST", "message": "订单不存在"}}
		}
		return &Reply{Status: http.StatusNoContent}
	})
	s.Handle(http.MethodPost, "hk/v3/transactions/out-trade-no/{out_trade_no}/reverse", func(r *Request) *Reply {
		var b struct{ Mchid, SpMchid, SubMchid string }
		if json.Unmarshal(r.Body, &b) != nil {
			return paramError("body")
		}
		s.setState(r.Params["out_trade_no"], "REVOKED")
		return &Reply{Status: http.StatusNoContent}
	})

	s.Handle(http.MethodPost, "pay/unifiedorder", func(r *Request) *Reply {
		for _, f := range []string{"appid", "mch_id", "nonce_str", "body", "out_trade_no", "total_fee", "spbill_create_ip", "notify_url", "trade_type"} {
			if r.Fields[f] == "" {
				return &Reply{Fields: [][2]string{{"return_code", "FAIL"}, {"return_msg", "缺少参数" + f}}, Unsigned: true}
			}
		}
		total, _ := strconv.Atoi(r.Fields["total_fee"])
		s.addOrder(r.Fields["out_trade_no"], total)
		return &Reply{Fields: s.v2OK(r, [2]string{"trade_type", r.Fields["trade_type"]},
			[2]string{"prepay_id", "wx" + nonce()[:28]}, [2]string{"code_url", "weixin://wxpay/bizpayurl?pr=" + nonce()[:7]})}
	})
	s.Handle(http.MethodPost, "pay/orderquery", func(r *Request) *Reply {
		o, ok := s.getOrder(r.Fields["out_trade_no"])
		if !ok {
			return &Reply{Fields: s.v2Fail(r, "ORDERNOTEXIST", "此交易订单号不存在")}
		}
		return &Reply{Fields: s.v2OK(r, [2]string{"out_trade_no", o.OutTradeNo}, [2]string{"trade_state", o.State},
			[2]string{"total_fee", strconv.Itoa(o.Total)})}
	})
	s.Handle(http.MethodPost, "secapi/pay/reverse", func(r *Request) *Reply {
		if !s.setState(r.Fields["out_trade_no"], "REVOKED") {
			return &Reply{Fields: s.v2Fail(r, "ORDERNOTEXIST", "订单不存在")}
		}
		return &Reply{Fields: s.v2OK(r, [2]string{"recall", "N"})}
	})
	s.Handle(http.MethodPost, "secapi/pay/refund", func(r *Request) *Reply {
		if _, ok := s.getOrder(r.Fields["out_trade_no"]); !ok {
			return &Reply{Fields: s.v2Fail(r, "ORDERNOTEXIST", "订单不存在")}
		}
		return &Reply{Fields: s.v2OK(r, [2]string{"out_trade_no", r.Fields["out_trade_no"]},
			[2]string{"out_refund_no", r.Fields["out_refund_no"]}, [2]string{"refund_id", "50000" + nonce()[:20]},
			[2]string{"refund_fee", r.Fields["refund_fee"]})}
	})
}

func (s *Server) v3Order(field string) HandlerFunc {
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
			return paramError("body: " + err.Error())
		}
		switch {
		case b.Appid == "":
			return paramError("appid")
		case b.Mchid != s.MchID:
			return paramError("mchid")
		case b.Description == "":
			return paramError("description")
		case b.OutTradeNo == "":
			return paramError("out_trade_no")
		case b.NotifyURL == "":
			return paramError("notify_url")
		case b.Amount == nil || b.Amount.Total <= 0:
			return paramError("amount.total")
		}
		s.addOrder(b.OutTradeNo, b.Amount.Total)
		v := "weixin://wxpay/bizpayurl?pr=" + nonce()[:7]
		if field == "prepay_id" {
			v = "wx" + nonce()[:30]
		}
		return &Reply{JSON: map[string]string{field: v}}
	}
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
