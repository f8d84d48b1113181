package engine

import (
	"bytes"
	"fmt"
	"strings"
)

// pdfPage writes a one-page A4 PDF with a title and lines of text in Helvetica
// (WinAnsiEncoding, so Portuguese accents print). It is enough for realistic demo documents
// without a PDF library.
func pdfPage(title string, lines []string) []byte {
	var content bytes.Buffer
	content.WriteString("BT /F2 16 Tf 56 780 Td (" + pdfText(title) + ") Tj ET\n")
	content.WriteString("0.6 G 56 768 m 539 768 l S 0 G\n")
	y := 740
	for _, l := range lines {
		font := "/F1 11 Tf"
		if strings.HasPrefix(l, "# ") {
			font, l = "/F2 12 Tf", l[2:]
			y -= 6
		}
		fmt.Fprintf(&content, "BT %s 56 %d Td (%s) Tj ET\n", font, y, pdfText(l))
		y -= 16
		if y < 60 {
			break
		}
	}
	objs := []string{
		"<< /Type /Catalog /Pages 2 0 R >>",
		"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
		"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R /Resources << /Font << /F1 5 0 R /F2 6 0 R >> >> >>",
		fmt.Sprintf("<< /Length %d >>\nstream\n%sendstream", content.Len(), content.String()),
		"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
		"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica-Bold /Encoding /WinAnsiEncoding >>",
	}
	var out bytes.Buffer
	out.WriteString("%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
	offsets := make([]int, len(objs))
	for i, o := range objs {
		offsets[i] = out.Len()
		fmt.Fprintf(&out, "%d 0 obj\n%s\nendobj\n", i+1, o)
	}
	xref := out.Len()
	fmt.Fprintf(&out, "xref\n0 %d\n0000000000 65535 f \n", len(objs)+1)
	for _, off := range offsets {
		fmt.Fprintf(&out, "%010d 00000 n \n", off)
	}
	fmt.Fprintf(&out, "trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n", len(objs)+1, xref)
	return out.Bytes()
}

// pdfText escapes a string for a PDF literal, in WinAnsi (Latin-1 for Portuguese).
func pdfText(s string) string {
	var b strings.Builder
	for _, r := range s {
		switch {
		case r == '(' || r == ')' || r == '\\':
			b.WriteByte('\\')
			b.WriteRune(r)
		case r < 0x80:
			b.WriteRune(r)
		case r <= 0xff:
			b.WriteByte(byte(r))
		case r == '–' || r == '—':
			b.WriteByte('-')
		default:
			b.WriteByte('?')
		}
	}
	return b.String()
}
