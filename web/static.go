package web

import (
	"crypto/sha256"
	"encoding/hex"
	"io/fs"
	"mime"
	"net/http"
	"path"

	"github.com/labstack/echo/v4"
)

type staticFile struct {
	body        []byte
	hash        string
	contentType string
}

// loadStatic reads the embedded static files and their content hashes once: URLs
// carry the hash, so browsers may cache a file for good and a new binary's files
// are fetched afresh.
func loadStatic() map[string]staticFile {
	files := map[string]staticFile{}
	err := fs.WalkDir(staticFS, "static", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := staticFS.ReadFile(p)
		if err != nil {
			return err
		}
		sum := sha256.Sum256(b)
		ct := mime.TypeByExtension(path.Ext(p))
		if ct == "" {
			ct = "application/octet-stream"
		}
		files[path.Base(p)] = staticFile{body: b, hash: hex.EncodeToString(sum[:6]), contentType: ct}
		return nil
	})
	if err != nil {
		panic(err)
	}
	return files
}

func (w *Web) staticURL(name string) string {
	f, ok := w.static[name]
	if !ok {
		panic("web: no static file " + name) // templates are checked at start
	}
	return "/static/" + name + "?v=" + f.hash
}

func (w *Web) serveStatic(c echo.Context) error {
	f, ok := w.static[c.Param("name")]
	if !ok {
		return echo.ErrNotFound
	}
	if c.QueryParam("v") == f.hash {
		c.Response().Header().Set("Cache-Control", "public, max-age=31536000, immutable")
	} else {
		c.Response().Header().Set("Cache-Control", "no-cache")
	}
	return c.Blob(http.StatusOK, f.contentType, f.body)
}
