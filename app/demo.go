package app

import (
	"context"
	"fmt"
	"io"
	"time"

	"golang.org/x/crypto/bcrypt"

	"rectify/domain"
)

// DemoPassword is the password of every demo user; `rectify dev` only.
const DemoPassword = "rectify-demo"

var demoDepartments = []domain.Department{
	{Code: "320100-SCJG", Name: "南京市市场监督管理局"},
	{Code: "320100-RSJ", Name: "南京市人力资源和社会保障局"},
	{Code: "320100-GAJ", Name: "南京市公安局"},
	{Code: "320100-ZJJ", Name: "南京市住房和城乡建设局"},
	{Code: "320102-XWZW", Name: "玄武区政务服务中心"},
}

var demoUsers = []domain.User{
	{Username: "admin", Role: domain.RoleAdmin, DisplayName: "系统管理员"},
	{Username: "supervisor", Role: domain.RoleSupervisor, DisplayName: "督办员 王敏"},
	{Username: "callcenter", Role: domain.RoleCallCenter, DisplayName: "12345 话务员 李娜"},
	{Username: "scjg", Role: domain.RoleDepartment, DepartmentCode: "320100-SCJG", DisplayName: "市场监管局 张伟"},
	{Username: "rsj", Role: domain.RoleDepartment, DepartmentCode: "320100-RSJ", DisplayName: "人社局 刘洋"},
	{Username: "gaj", Role: domain.RoleDepartment, DepartmentCode: "320100-GAJ", DisplayName: "公安局 陈静"},
	{Username: "zjj", Role: domain.RoleDepartment, DepartmentCode: "320100-ZJJ", DisplayName: "住建局 孙磊"},
	{Username: "xwzw", Role: domain.RoleDepartment, DepartmentCode: "320102-XWZW", DisplayName: "玄武区政务服务中心 周琳"},
	{Username: "web-portal", Role: domain.RoleChannel, DisplayName: "网上政务服务平台"},
}

// SeedDemo registers the demo departments and users on a database that has no
// users yet, seeds the demo ratings and tickets on one that has no ratings
// (demodata.go; it needs the worker running), and prints where to go.
func SeedDemo(ctx context.Context, sys *System, baseURL, adminToken string, w io.Writer) error {
	st := sys.Store
	users, err := st.ListUsers(ctx)
	if err != nil {
		return err
	}
	fresh := len(users) == 0
	if fresh {
		for _, d := range demoDepartments {
			if err := st.UpsertDepartment(ctx, d); err != nil {
				return err
			}
		}
		hash, err := bcrypt.GenerateFromPassword([]byte(DemoPassword), bcrypt.DefaultCost)
		if err != nil {
			return err
		}
		for _, u := range demoUsers {
			if err := st.CreateUser(ctx, u, string(hash)); err != nil {
				return err
			}
		}
	}
	// Bounded: a Temporal that does not answer must not keep the pages from starting.
	sctx, cancel := context.WithTimeout(ctx, time.Minute)
	sum, seeded, err := sys.SeedDemoData(sctx)
	cancel()
	if err != nil {
		// What was seeded stays; the pages work without the rest.
		sys.Log.Warn("demo data incomplete", "err", err)
	}
	fmt.Fprintf(w, "\n  rectify dev is running\n\n")
	fmt.Fprintf(w, "  Web:          %s/\n", baseURL)
	fmt.Fprintf(w, "  API:          %s/api/v1/  (OpenAPI: %s/api/openapi.yaml)\n", baseURL, baseURL)
	fmt.Fprintf(w, "  Health:       %s/readyz\n", baseURL)
	fmt.Fprintf(w, "  Admin token:  %s   (Authorization: Bearer ...)\n", adminToken)
	fmt.Fprintf(w, "  Demo users:   admin, supervisor, callcenter, scjg (320100-SCJG), rsj (320100-RSJ), gaj, zjj, xwzw, web-portal (channel)\n")
	fmt.Fprintf(w, "  Password:     %s\n", DemoPassword)
	if fresh {
		fmt.Fprintf(w, "  (fresh database: demo departments and users registered)\n")
	}
	if seeded {
		fmt.Fprintf(w, "  Demo data:    %d ratings, %d tickets in every state, %d service cases, %d call-backs queued (seeded in %s)\n",
			sum.Ratings, sum.Tickets, sum.Cases, sum.Callbacks, sum.Took.Round(100*time.Millisecond))
	} else {
		fmt.Fprintf(w, "  Demo data:    not seeded: the database already has ratings\n")
	}
	if c := sys.Config.Calendar; c.Mode == "compressed" {
		fmt.Fprintf(w, "  Time:         COMPRESSED (calendar.mode=compressed): one working day lasts %s, deadlines pass in seconds\n", c.CompressedDay)
	} else {
		fmt.Fprintf(w, "  Time:         real working days (RECTIFY_CALENDAR_MODE=compressed makes one last %s)\n", c.CompressedDay)
	}
	fmt.Fprintf(w, "\n  Try: curl -s -H 'Authorization: Bearer %s' -H 'Content-Type: application/json' \\\n", adminToken)
	fmt.Fprintf(w, "         -d '{\"id\":\"DEMO-1\",\"channel\":\"web\",\"level\":\"dissatisfied\",\"department_code\":\"320100-SCJG\",\"citizen\":{\"name\":\"张三\",\"phone\":\"13812341234\"}}' \\\n")
	fmt.Fprintf(w, "         %s/api/v1/ratings\n\n", baseURL)
	return nil
}
