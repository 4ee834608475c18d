// gen.go writes golden.tar with Go's archive/tar, the writer apko uses, so the Java GoTarWriter can be checked
// byte for byte against it. Run: go run gen.go  (Go 1.22 or newer).
package main

import (
	"archive/tar"
	"os"
	"strings"
	"time"
)

type entry struct {
	hdr  tar.Header
	data string
}

func main() {
	long := strings.Repeat("d", 60) + "/" + strings.Repeat("e", 60) + "/" + strings.Repeat("f", 50)
	unsplittable := strings.Repeat("x", 120)
	entries := []entry{
		{tar.Header{Name: "dir", Typeflag: tar.TypeDir, Mode: 0o755}, ""},
		{tar.Header{Name: "dir/file", Typeflag: tar.TypeReg, Mode: 0o644, ModTime: time.Unix(1700000000, 0), Size: 5}, "hello"},
		{tar.Header{Name: "tmp", Typeflag: tar.TypeDir, Mode: 0o1777}, ""},
		{tar.Header{Name: "suid", Typeflag: tar.TypeReg, Mode: 0o4755, Uid: 10000, Gid: 10000, Uname: "nonroot", Gname: "nonroot", Size: 0}, ""},
		{tar.Header{Name: long, Typeflag: tar.TypeReg, Mode: 0o600, Size: 3}, "abc"},
		{tar.Header{Name: unsplittable, Typeflag: tar.TypeReg, Mode: 0o644, Size: 1}, "z"},
		{tar.Header{Name: "xattr", Typeflag: tar.TypeReg, Mode: 0o755, Size: 2, PAXRecords: map[string]string{"SCHILY.xattr.security.capability": "cap", "SCHILY.xattr.user.a": "b"}}, "#!"},
		{tar.Header{Name: "café", Typeflag: tar.TypeReg, Mode: 0o644, Size: 0}, ""},
		{tar.Header{Name: "link", Typeflag: tar.TypeSymlink, Mode: 0o777, Linkname: strings.Repeat("t", 150)}, ""},
		{tar.Header{Name: "hard", Typeflag: tar.TypeLink, Mode: 0o644, Linkname: "dir/file"}, ""},
		{tar.Header{Name: "dev/console", Typeflag: tar.TypeChar, Mode: 0o620, Devmajor: 5, Devminor: 1}, ""},
		{tar.Header{Name: "biguid", Typeflag: tar.TypeReg, Mode: 0o644, Uid: 3000000, Gid: 5, Size: 0}, ""},
		{tar.Header{Name: "longuname", Typeflag: tar.TypeReg, Mode: 0o644, Uname: strings.Repeat("u", 40), Size: 0}, ""},
		{tar.Header{Name: "future", Typeflag: tar.TypeReg, Mode: 0o644, ModTime: time.Unix(9000000000, 0), Size: 0}, ""},
		{tar.Header{Name: "dir/PaxHeaders-escaped\u2028", Typeflag: tar.TypeReg, Mode: 0o644, Size: 0}, ""},
	}
	f, err := os.Create("golden.tar")
	if err != nil {
		panic(err)
	}
	defer f.Close()
	tw := tar.NewWriter(f)
	for _, e := range entries {
		h := e.hdr
		if err := tw.WriteHeader(&h); err != nil {
			panic(err)
		}
		if _, err := tw.Write([]byte(e.data)); err != nil {
			panic(err)
		}
	}
	if err := tw.Close(); err != nil {
		panic(err)
	}
}
