package whatsapp

import (
	"fmt"
	"io"
	"net/http"
)

// mediaSlack is what encryption adds to a file's size on the wire (padding and MAC), with room.
const mediaSlack = 1 << 20

// limitTransport refuses media responses larger than max bytes: whatsmeow reads a download
// whole into memory, and a sender may lie about the size it declares.
type limitTransport struct {
	base http.RoundTripper
	max  int64
}

func (t limitTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := t.base.RoundTrip(req)
	if err != nil {
		return nil, err
	}
	if resp.ContentLength > t.max {
		resp.Body.Close()
		return nil, fmt.Errorf("media of %d bytes: %w", resp.ContentLength, ErrMediaTooLarge)
	}
	resp.Body = &limitedBody{ReadCloser: resp.Body, left: t.max}
	return resp, nil
}

// limitedBody fails with ErrMediaTooLarge once more than left bytes were read.
type limitedBody struct {
	io.ReadCloser
	left int64
}

func (b *limitedBody) Read(p []byte) (int, error) {
	if b.left < 0 {
		return 0, ErrMediaTooLarge
	}
	if int64(len(p)) > b.left+1 {
		p = p[:b.left+1]
	}
	n, err := b.ReadCloser.Read(p)
	b.left -= int64(n)
	if b.left < 0 {
		return n, ErrMediaTooLarge
	}
	return n, err
}
