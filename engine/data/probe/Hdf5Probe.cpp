// xwam-hdf5-probe FILE: walks every object header, link and attribute of an HDF5 file, decoding
// them as the readers would, and exits 0 (kProbeIncompleteWalk when libhdf5 could not list them all). Run by h5::preflight in its own process: if libhdf5
// crashes or hangs on a damaged file, only this program dies (docs/fuzzing.md, "libhdf5").
#include <hdf5.h>

#include <string>
#include <vector>

#include "engine/data/Hdf5Preflight.h"

namespace {

constexpr size_t kMaxAttributeBytes = 16u << 20;

// Reads one attribute's value as stored: the decoding libhdf5 does here is where damaged files hurt.
herr_t walk_attribute(hid_t location, const char* name, const H5A_info_t*, void*) {
  const hid_t attribute = H5Aopen(location, name, H5P_DEFAULT);
  if (attribute < 0) return 0;
  const hid_t type = H5Aget_type(attribute);
  const hid_t space = H5Aget_space(attribute);
  if (type >= 0 && space >= 0 && H5Tget_class(type) != H5T_VLEN && H5Tis_variable_str(type) <= 0) {
    const hssize_t count = H5Sget_simple_extent_npoints(space);
    const size_t size = H5Tget_size(type);
    if (count >= 0 && size > 0 && static_cast<size_t>(count) <= kMaxAttributeBytes / size) {
      std::vector<unsigned char> value(static_cast<size_t>(count) * size + 1);
      H5Aread(attribute, type, value.data());
    }
  }
  if (space >= 0) H5Sclose(space);
  if (type >= 0) H5Tclose(type);
  H5Aclose(attribute);
  return 0;
}

// Every attribute of an object, as iterated and as looked up by name: the readers ask for names with
// H5Aexists, which decodes each attribute message on a path of its own (a damaged message that
// iterates cleanly made it use freed memory). A name no file holds makes it visit every message.
// The callbacks never fail, so an error means libhdf5 could not list everything.
bool complete = true;

void walk_attributes(hid_t object) {
  hsize_t position = 0;
  if (H5Aiterate2(object, H5_INDEX_NAME, H5_ITER_NATIVE, &position, walk_attribute, nullptr) < 0) complete = false;
  if (H5Aexists(object, "\x01xwam-probe: no such attribute") < 0) complete = false;
}

herr_t walk_object(hid_t root, const char* name, const H5O_info_t* info, void*) {
  const hid_t object = H5Oopen(root, name, H5P_DEFAULT);
  if (object < 0) return 0;
  walk_attributes(object);
  if (info->type == H5O_TYPE_DATASET) {
    const hid_t type = H5Dget_type(object), space = H5Dget_space(object), plist = H5Dget_create_plist(object);
    H5Dget_storage_size(object);  // walks the chunk index
    if (plist >= 0) H5Pclose(plist);
    if (space >= 0) H5Sclose(space);
    if (type >= 0) H5Tclose(type);
  }
  H5Oclose(object);
  return 0;
}

void walk_file(const std::string& path) {
  H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);
  const hid_t fapl = H5Pcreate(H5P_FILE_ACCESS);
  H5Pset_fclose_degree(fapl, H5F_CLOSE_WEAK);
  const hid_t file = H5Fopen(path.c_str(), H5F_ACC_RDONLY, fapl);
  if (file < 0) return;  // the reader reports libhdf5's refusal itself, naming the object
  walk_attributes(file);
  // Hard links only (soft and external ones are not followed), so a sound file lists completely.
  if (H5Ovisit2(file, H5_INDEX_NAME, H5_ITER_NATIVE, walk_object, nullptr, H5O_INFO_BASIC) < 0) complete = false;
}

}  // namespace

// Sanitizer builds: libhdf5 keeps its caches until exit, and a leak report would end the probe with
// an error status, which counts as a crash.
extern "C" const char* __asan_default_options() { return "detect_leaks=0"; }

int main(int argc, char** argv) {
  if (argc != 2) return 2;
  walk_file(argv[1]);
  return complete ? 0 : xwam::data::h5::kProbeIncompleteWalk;
}
