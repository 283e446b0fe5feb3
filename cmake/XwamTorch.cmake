# Finds LibTorch: Debian's 1.13 (CPU) or a 2.x from PyTorch's Python package (possibly with CUDA).
# Sets XWAM_TORCH_HAS_CUDA when the LibTorch found was built with CUDA.

# A CUDA LibTorch chooses the GPU architectures itself (TORCH_CUDA_ARCH_LIST, else it probes the GPU,
# which fails on a machine without one): hand it ours so both agree. "90" → "9.0+PTX", "80-real" → "8.0",
# "90a-real" → "9.0a".
if(XWAM_CUDA AND NOT DEFINED TORCH_CUDA_ARCH_LIST AND NOT DEFINED ENV{TORCH_CUDA_ARCH_LIST})
  set(TORCH_CUDA_ARCH_LIST "")
  foreach(arch ${CMAKE_CUDA_ARCHITECTURES})
    string(REGEX MATCH "^([0-9]+)([0-9][af]?)(-real|-virtual)?$" matched "${arch}")
    if(NOT matched)
      message(FATAL_ERROR "CMAKE_CUDA_ARCHITECTURES entry '${arch}': expected e.g. 90, 90-real, 90a-real or "
                          "90-virtual (or set TORCH_CUDA_ARCH_LIST yourself)")
    endif()
    set(entry "${CMAKE_MATCH_1}.${CMAKE_MATCH_2}")
    if(NOT CMAKE_MATCH_3 STREQUAL "-real")
      string(APPEND entry "+PTX")
    endif()
    list(APPEND TORCH_CUDA_ARCH_LIST "${entry}")
  endforeach()
endif()

# TorchConfig.cmake looks its libraries (libc10.so, ...) up on the system paths before its own lib/:
# given torch.utils.cmake_prefix_path on a machine that also has Debian's LibTorch, it would mix in the
# system's. The torch package directory itself goes first so its lib/ wins.
foreach(prefix ${CMAKE_PREFIX_PATH})
  if(EXISTS "${prefix}/Torch/TorchConfig.cmake")
    get_filename_component(torch_root "${prefix}/../.." ABSOLUTE)
    list(PREPEND CMAKE_PREFIX_PATH "${torch_root}")
  endif()
endforeach()
find_package(Torch REQUIRED)
string(FIND "${c10_LIBRARY}" "${TORCH_INSTALL_PREFIX}/" c10_at)
if(NOT c10_at EQUAL 0)
  message(FATAL_ERROR "LibTorch at ${TORCH_INSTALL_PREFIX} but its c10 library was found at ${c10_LIBRARY}: "
                      "put ${TORCH_INSTALL_PREFIX} first on CMAKE_PREFIX_PATH (and start from a fresh build directory)")
endif()

# PyTorch's wheels export the copies of libstdc++'s std::filesystem functions they link statically
# (pytorch/pytorch#133437); called from our programs, those crash. With libstdc++ first among a
# program's libraries, the dynamic linker binds such calls to libstdc++'s own.
if(EXISTS "${TORCH_INSTALL_PREFIX}/__init__.py")
  set_property(TARGET torch APPEND PROPERTY INTERFACE_LINK_OPTIONS
    "SHELL:-Wl,--push-state,--no-as-needed -lstdc++ -Wl,--pop-state")
endif()

if(TARGET c10_cuda)
  set(XWAM_TORCH_HAS_CUDA ON)
else()
  set(XWAM_TORCH_HAS_CUDA OFF)
endif()
message(STATUS "LibTorch ${Torch_VERSION}: CUDA ${XWAM_TORCH_HAS_CUDA}")
if(XWAM_CUDA AND NOT XWAM_TORCH_HAS_CUDA)
  message(WARNING "XWAM_CUDA is ON but this LibTorch has no CUDA: only our own kernels will use the GPU")
endif()
