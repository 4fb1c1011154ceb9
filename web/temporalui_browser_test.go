package web_test

import (
	"net"
	"net/url"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"rectify/temporaldev"
	"rectify/workflows"
)

// TestBrowserTemporalUI: an engineer looking at a stuck ticket opens the Temporal
// Web UI that `rectify dev` serves, searches by the ticket number people quote,
// and finds its workflow with its history and pending timer.
func TestBrowserTemporalUI(t *testing.T) {
	s := browserSite(t)
	number := s.rate(deptA, "窗口排队两个小时，叫号系统经常出错。", "queueing")
	wid := workflows.WorkflowID(s.ticket(number).RatingID)

	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	ui, err := temporaldev.StartUI(addr, ts.GetFrontendHostPort(), ts.GetDefaultNamespace())
	if err != nil {
		t.Fatal(err)
	}
	defer ui.Stop()
	if _, err := temporaldev.StartUI("0.0.0.0:0", ts.GetFrontendHostPort(), "default"); err == nil {
		t.Error("the UI started on a non-loopback address")
	}

	b := browserAt(t, "http://"+addr, 2*time.Minute, chromedp.WindowSize(1400, 900))()

	ns := url.PathEscape(ts.GetDefaultNamespace())
	b.open("/namespaces/" + ns + "/workflows?query=" + url.QueryEscape(workflows.SATicket+` = "`+number+`"`))
	b.waitText("body", wid, "Running")
	b.shot("temporal-ui-search")
	b.open("/namespaces/" + ns + "/workflows/" + url.PathEscape(wid))
	b.waitText("body", wid, "Rectification", number) // the input names the ticket
	b.shot("temporal-ui-workflow")
}
