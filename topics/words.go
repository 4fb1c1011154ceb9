package topics

import (
	"context"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/jackc/pgx/v5"

	"rectify/domain"
)

// Word is an admin's addition to the dictionary: kind "term" (keep it whole and
// count it) or "stop" (never count it).
type Word struct {
	Word      string    `json:"word"`
	Kind      string    `json:"kind"`
	CreatedBy string    `json:"created_by"`
	CreatedAt time.Time `json:"created_at"`
}

// Words lists the admin's words, alphabetically.
func (s *Service) Words(ctx context.Context) (ws []Word, err error) {
	defer wrap(&err, "topics.Words")
	rows, err := s.DB.Query(ctx, `SELECT word, kind, created_by, created_at FROM topic_words ORDER BY word`)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, pgx.RowToStructByPos[Word])
}

// CheckWord says what is wrong with a word and kind, as field errors.
func CheckWord(word, kind string) []domain.FieldError {
	var fs []domain.FieldError
	if n := utf8.RuneCountInString(word); n < 2 || n > 20 || !countable(strings.ToLower(word)) || strings.ContainsAny(word, " \t\r\n") {
		fs = append(fs, domain.FieldError{Field: "word", Message: "2 to 20 characters, letters only, no spaces or digits"})
	}
	if kind != "term" && kind != "stop" {
		fs = append(fs, domain.FieldError{Field: "kind", Message: "one of term, stop"})
	}
	return fs
}

// PutWord adds or changes a word; it applies to comments segmented from now on.
func (s *Service) PutWord(ctx context.Context, word, kind, by string) (w Word, err error) {
	defer wrap(&err, "topics.PutWord")
	if fs := CheckWord(word, kind); fs != nil {
		return w, domain.Invalid("invalid_word", fs)
	}
	word = strings.ToLower(word)
	err = s.DB.QueryRow(ctx, `INSERT INTO topic_words (word, kind, created_by) VALUES ($1, $2, $3)
		ON CONFLICT (word) DO UPDATE SET kind = excluded.kind, created_by = excluded.created_by, created_at = now()
		RETURNING word, kind, created_by, created_at`, word, kind, by).Scan(&w.Word, &w.Kind, &w.CreatedBy, &w.CreatedAt)
	return w, err
}

// DeleteWord removes a word; domain.ErrNotFound when there was none.
func (s *Service) DeleteWord(ctx context.Context, word string) (err error) {
	defer wrap(&err, "topics.DeleteWord")
	tag, err := s.DB.Exec(ctx, `DELETE FROM topic_words WHERE word = $1`, strings.ToLower(word))
	if err != nil {
		return err
	}
	if tag.RowsAffected() == 0 {
		return domain.ErrNotFound
	}
	return nil
}
