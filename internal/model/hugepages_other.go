//go:build !linux

package model

func madviseHuge([]byte) {}
