// libhdf5 is not memory-safe on crafted files (docs/fuzzing.md, "libhdf5"): decoding a damaged
// attribute message can read past its buffers and crash the process. Before a file is opened in
// this process, a probe program (xwam-hdf5-probe, engine/data/probe) walks every object header, link
// and attribute of it in its own process; a probe that dies or hangs marks the file as damaged, so
// the app and the CLI get a named error instead.
#pragma once
#include <string>

namespace xwam::data::h5 {

// The probe's exit status when libhdf5 reported an error partway through listing the links or
// attributes of an object: the rest went unprobed, yet a reader asking by name may still reach it.
constexpr int kProbeIncompleteWalk = 3;

// Throws xwam::Error naming `path` when libhdf5 crashes or hangs on its metadata, or cannot list all
// of it (probed at most
// once per file version per process). Errors libhdf5 reports cleanly are left to the reader, which
// names the object. The caller holds h5::lock() (the cache of probed files).
void preflight(const std::string& path);

}  // namespace xwam::data::h5
