/* GraphQL lexical grammar (spec section 2.1): ignored tokens are whitespace,
 * commas, comments and a BOM; strings carry escapes and block strings are
 * dedented as the spec's BlockStringValue() says. */
#include <stdio.h>
#include <string.h>

#include "buf.h"
#include "gql.h"

void gql_lexer_init(gql_lexer *lx, const char *src, size_t len,
                    gsim_arena *arena)
{
    memset(lx, 0, sizeof(*lx));
    lx->src = src;
    lx->len = len;
    lx->line = 1;
    lx->arena = arena;
}

static int peek(const gql_lexer *lx, size_t ahead)
{
    size_t at = lx->pos + ahead;
    return at < lx->len ? (unsigned char)lx->src[at] : -1;
}

static int col_of(const gql_lexer *lx, size_t pos)
{
    return (int)(pos - lx->line_start) + 1;
}

static void newline(gql_lexer *lx, size_t after)
{
    lx->line++;
    lx->line_start = after;
}

static gql_token error_at(gql_lexer *lx, size_t pos, const char *msg)
{
    gql_token t = {GQL_T_ERROR, lx->src + pos, 0, NULL, lx->line,
                   col_of(lx, pos)};
    snprintf(lx->error, sizeof(lx->error), "%s", msg);
    return t;
}

static void skip_ignored(gql_lexer *lx)
{
    for (;;) {
        int c = peek(lx, 0);
        if (c == ' ' || c == '\t' || c == ',') {
            lx->pos++;
        } else if (c == '\n') {
            lx->pos++;
            newline(lx, lx->pos);
        } else if (c == '\r') {
            lx->pos++;
            if (peek(lx, 0) == '\n')
                lx->pos++;
            newline(lx, lx->pos);
        } else if (c == 0xEF && peek(lx, 1) == 0xBB && peek(lx, 2) == 0xBF) {
            lx->pos += 3;
        } else if (c == '#') {
            while (peek(lx, 0) != -1 && peek(lx, 0) != '\n' &&
                   peek(lx, 0) != '\r')
                lx->pos++;
        } else {
            return;
        }
    }
}

static int is_name_start(int c)
{
    return c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static int is_digit(int c)
{
    return c >= '0' && c <= '9';
}

static int hex_value(int c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

static int put_utf8(gs_buf *out, unsigned long cp)
{
    char b[4];
    size_t n;
    if (cp < 0x80) {
        b[0] = (char)cp;
        n = 1;
    } else if (cp < 0x800) {
        b[0] = (char)(0xC0 | (cp >> 6));
        b[1] = (char)(0x80 | (cp & 0x3F));
        n = 2;
    } else if (cp < 0x10000) {
        b[0] = (char)(0xE0 | (cp >> 12));
        b[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        b[2] = (char)(0x80 | (cp & 0x3F));
        n = 3;
    } else {
        b[0] = (char)(0xF0 | (cp >> 18));
        b[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
        b[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
        b[3] = (char)(0x80 | (cp & 0x3F));
        n = 4;
    }
    return gs_buf_append(out, b, n);
}

/* Reads 4 hex digits at pos; -1 when they are not all hex. */
static long read_hex4(const gql_lexer *lx, size_t pos)
{
    long v = 0;
    for (int i = 0; i < 4; i++) {
        int h = pos + (size_t)i < lx->len
                    ? hex_value((unsigned char)lx->src[pos + (size_t)i])
                    : -1;
        if (h < 0)
            return -1;
        v = v * 16 + h;
    }
    return v;
}

static gql_token lex_string(gql_lexer *lx)
{
    size_t start = lx->pos;
    int line = lx->line, col = col_of(lx, start);
    gs_buf out = GS_BUF_INIT;
    gql_token t;
    lx->pos++; /* opening quote */
    for (;;) {
        int c = peek(lx, 0);
        if (c == -1 || c == '\n' || c == '\r') {
            t = error_at(lx, lx->pos, "Unterminated string.");
            goto done;
        }
        if (c == '"') {
            lx->pos++;
            break;
        }
        if (c < 0x20 && c != '\t') {
            t = error_at(lx, lx->pos, "Invalid character within String.");
            goto done;
        }
        if (c != '\\') {
            if (gs_buf_append(&out, lx->src + lx->pos, 1) != 0)
                goto nomem;
            lx->pos++;
            continue;
        }
        int e = peek(lx, 1);
        const char *simple = NULL;
        switch (e) {
        case '"': simple = "\""; break;
        case '\\': simple = "\\"; break;
        case '/': simple = "/"; break;
        case 'b': simple = "\b"; break;
        case 'f': simple = "\f"; break;
        case 'n': simple = "\n"; break;
        case 'r': simple = "\r"; break;
        case 't': simple = "\t"; break;
        default: break;
        }
        if (simple) {
            if (gs_buf_append(&out, simple, 1) != 0)
                goto nomem;
            lx->pos += 2;
            continue;
        }
        if (e != 'u') {
            t = error_at(lx, lx->pos, "Invalid character escape sequence.");
            goto done;
        }
        long cp = read_hex4(lx, lx->pos + 2);
        if (cp < 0) {
            t = error_at(lx, lx->pos, "Invalid Unicode escape sequence.");
            goto done;
        }
        lx->pos += 6;
        if (cp >= 0xD800 && cp <= 0xDBFF) {
            /* A surrogate pair spelled as two \u escapes. */
            long lo = (peek(lx, 0) == '\\' && peek(lx, 1) == 'u')
                          ? read_hex4(lx, lx->pos + 2)
                          : -1;
            if (lo < 0xDC00 || lo > 0xDFFF) {
                t = error_at(lx, lx->pos - 6,
                             "Invalid Unicode escape sequence.");
                goto done;
            }
            lx->pos += 6;
            cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
        } else if (cp >= 0xDC00 && cp <= 0xDFFF) {
            t = error_at(lx, lx->pos - 6, "Invalid Unicode escape sequence.");
            goto done;
        }
        if (put_utf8(&out, (unsigned long)cp) != 0)
            goto nomem;
    }
    t.kind = GQL_T_STRING;
    t.start = lx->src + start;
    t.len = lx->pos - start;
    t.value = gsim_arena_strndup(lx->arena, out.data ? out.data : "", out.len);
    t.line = line;
    t.col = col;
    if (!t.value)
        goto nomem;
    goto done;
nomem:
    t = error_at(lx, start, "Out of memory.");
done:
    gs_buf_free(&out);
    return t;
}

static int is_blank_line(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (s[i] != ' ' && s[i] != '\t')
            return 0;
    return 1;
}

/* The spec's BlockStringValue(): common indentation removed, leading and
 * trailing blank lines dropped, lines joined with \n. */
static char *block_string_value(gsim_arena *arena, const char *raw, size_t n)
{
    size_t common = (size_t)-1;
    size_t i = 0, line_no = 0;
    while (i <= n) {
        size_t end = i;
        while (end < n && raw[end] != '\n' && raw[end] != '\r')
            end++;
        if (line_no > 0) {
            size_t ind = 0;
            while (i + ind < end && (raw[i + ind] == ' ' || raw[i + ind] == '\t'))
                ind++;
            if (ind < end - i && ind < common)
                common = ind;
        }
        line_no++;
        if (end >= n)
            break;
        i = end + ((raw[end] == '\r' && end + 1 < n && raw[end + 1] == '\n') ? 2 : 1);
    }
    gs_buf out = GS_BUF_INIT;
    size_t pending_newlines = 0;
    int started = 0;
    i = 0;
    line_no = 0;
    while (i <= n) {
        size_t end = i;
        while (end < n && raw[end] != '\n' && raw[end] != '\r')
            end++;
        const char *s = raw + i;
        size_t len = end - i;
        if (line_no > 0 && common != (size_t)-1) {
            size_t cut = common < len ? common : len;
            s += cut;
            len -= cut;
        }
        if (is_blank_line(s, len)) {
            if (started)
                pending_newlines++;
        } else {
            while (started && pending_newlines) {
                gs_buf_puts(&out, "\n");
                pending_newlines--;
            }
            if (started)
                gs_buf_puts(&out, "\n");
            gs_buf_append(&out, s, len);
            started = 1;
            pending_newlines = 0;
        }
        line_no++;
        if (end >= n)
            break;
        i = end + ((raw[end] == '\r' && end + 1 < n && raw[end + 1] == '\n') ? 2 : 1);
    }
    char *value = gsim_arena_strndup(arena, out.data ? out.data : "", out.len);
    gs_buf_free(&out);
    return value;
}

static gql_token lex_block_string(gql_lexer *lx)
{
    size_t start = lx->pos;
    int line = lx->line, col = col_of(lx, start);
    gs_buf raw = GS_BUF_INIT;
    gql_token t;
    lx->pos += 3;
    for (;;) {
        int c = peek(lx, 0);
        if (c == -1) {
            t = error_at(lx, lx->pos, "Unterminated string.");
            goto done;
        }
        if (c == '"' && peek(lx, 1) == '"' && peek(lx, 2) == '"') {
            lx->pos += 3;
            break;
        }
        if (c == '\\' && peek(lx, 1) == '"' && peek(lx, 2) == '"' &&
            peek(lx, 3) == '"') {
            gs_buf_puts(&raw, "\"\"\"");
            lx->pos += 4;
            continue;
        }
        gs_buf_append(&raw, lx->src + lx->pos, 1);
        lx->pos++;
        if (c == '\n' || (c == '\r' && peek(lx, 0) != '\n'))
            newline(lx, lx->pos);
    }
    t.kind = GQL_T_STRING;
    t.start = lx->src + start;
    t.len = lx->pos - start;
    t.value = block_string_value(lx->arena, raw.data ? raw.data : "", raw.len);
    t.line = line;
    t.col = col;
    if (!t.value)
        t = error_at(lx, start, "Out of memory.");
done:
    gs_buf_free(&raw);
    return t;
}

static gql_token lex_number(gql_lexer *lx)
{
    size_t start = lx->pos;
    int is_float = 0;
    if (peek(lx, 0) == '-')
        lx->pos++;
    if (peek(lx, 0) == '0') {
        lx->pos++;
        if (is_digit(peek(lx, 0)))
            return error_at(lx, lx->pos,
                            "Invalid number, unexpected digit after 0.");
    } else if (is_digit(peek(lx, 0))) {
        while (is_digit(peek(lx, 0)))
            lx->pos++;
    } else {
        return error_at(lx, lx->pos, "Invalid number, expected digit.");
    }
    if (peek(lx, 0) == '.') {
        is_float = 1;
        lx->pos++;
        if (!is_digit(peek(lx, 0)))
            return error_at(lx, lx->pos, "Invalid number, expected digit.");
        while (is_digit(peek(lx, 0)))
            lx->pos++;
    }
    if (peek(lx, 0) == 'e' || peek(lx, 0) == 'E') {
        is_float = 1;
        lx->pos++;
        if (peek(lx, 0) == '+' || peek(lx, 0) == '-')
            lx->pos++;
        if (!is_digit(peek(lx, 0)))
            return error_at(lx, lx->pos, "Invalid number, expected digit.");
        while (is_digit(peek(lx, 0)))
            lx->pos++;
    }
    if (peek(lx, 0) == '.' || is_name_start(peek(lx, 0)))
        return error_at(lx, lx->pos, "Invalid number, expected digit.");
    gql_token t = {is_float ? GQL_T_FLOAT : GQL_T_INT, lx->src + start,
                   lx->pos - start, NULL, lx->line, col_of(lx, start)};
    return t;
}

gql_token gql_lexer_next(gql_lexer *lx)
{
    skip_ignored(lx);
    size_t start = lx->pos;
    gql_token t = {GQL_T_EOF, lx->src + start, 0, NULL, lx->line,
                   col_of(lx, start)};
    int c = peek(lx, 0);
    if (c == -1)
        return t;
    if (strchr("!$&():=@[]{|}", c) && c != 0) {
        t.kind = GQL_T_PUNCT;
        t.len = 1;
        lx->pos++;
        return t;
    }
    if (c == '.') {
        if (peek(lx, 1) == '.' && peek(lx, 2) == '.') {
            t.kind = GQL_T_PUNCT;
            t.len = 3;
            lx->pos += 3;
            return t;
        }
        return error_at(lx, start, "Unexpected character: \".\".");
    }
    if (is_name_start(c)) {
        while (is_name_start(peek(lx, 0)) || is_digit(peek(lx, 0)))
            lx->pos++;
        t.kind = GQL_T_NAME;
        t.len = lx->pos - start;
        return t;
    }
    if (c == '-' || is_digit(c))
        return lex_number(lx);
    if (c == '"') {
        if (peek(lx, 1) == '"' && peek(lx, 2) == '"')
            return lex_block_string(lx);
        return lex_string(lx);
    }
    char msg[64];
    if (c >= 0x20 && c < 0x7F)
        snprintf(msg, sizeof(msg), "Unexpected character: \"%c\".", c);
    else
        snprintf(msg, sizeof(msg), "Unexpected character: 0x%02X.", c);
    return error_at(lx, start, msg);
}
