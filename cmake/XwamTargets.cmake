# Helpers shared by every folder: one library per folder, one test binary per module, one bench per file.

# xwam_include_root(TARGET PUBLIC|PRIVATE|INTERFACE FOLDER...): puts on TARGET's include path a root
# that holds only the given folders of the source tree (symbolic links under build/include-roots/), so
# "engine/core/Error.h" is found while the rest of the tree is not. This is how the build enforces the
# layering (docs/ARCHITECTURE.md): a target sees its own folder and the folders of what it links, so an
# include against the direction of the dependencies does not compile (tests/layering checks it).
function(xwam_include_root target visibility)
  set(root ${CMAKE_BINARY_DIR}/include-roots/${target})
  foreach(folder ${ARGN})
    get_filename_component(parent ${root}/${folder} DIRECTORY)
    file(MAKE_DIRECTORY ${parent})
    if(NOT EXISTS ${root}/${folder})
      file(CREATE_LINK ${CMAKE_SOURCE_DIR}/${folder} ${root}/${folder} SYMBOLIC)
    endif()
  endforeach()
  target_include_directories(${target} ${visibility} ${root})
endfunction()

# xwam_add_library(NAME SOURCES ... [PUBLIC_LIBS ...] [PRIVATE_LIBS ...])
# Public headers are included as "<folder>/Header.h", <folder> being the library's folder below the
# source root (engine/core, render, app/session, ...); that folder is the library's whole include root.
function(xwam_add_library name)
  cmake_parse_arguments(ARG "" "" "SOURCES;PUBLIC_LIBS;PRIVATE_LIBS" ${ARGN})
  add_library(${name} STATIC ${ARG_SOURCES})
  file(RELATIVE_PATH folder ${CMAKE_SOURCE_DIR} ${CMAKE_CURRENT_SOURCE_DIR})
  xwam_include_root(${name} PUBLIC ${folder})
  target_link_libraries(${name} PUBLIC ${ARG_PUBLIC_LIBS} PRIVATE ${ARG_PRIVATE_LIBS})
  target_compile_options(${name} PRIVATE -Wall -Wextra -Wno-unused-parameter)
endfunction()

# xwam_add_test(NAME SOURCES ... LIBS ... LABELS unit|render|gui|slow [TIMEOUT s] [OWN_MAIN])
# One GoogleTest binary; its tests are registered with ctest individually and carry the labels.
# OWN_MAIN: the sources bring main() (e.g. to own a QApplication for the whole run).
function(xwam_add_test name)
  cmake_parse_arguments(ARG "OWN_MAIN" "TIMEOUT" "SOURCES;LIBS;LABELS;ENV" ${ARGN})
  if(NOT ARG_TIMEOUT)
    set(ARG_TIMEOUT 600)
  endif()
  add_executable(${name} ${ARG_SOURCES})
  set_target_properties(${name} PROPERTIES RUNTIME_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR}/tests)
  target_link_libraries(${name} PRIVATE ${ARG_LIBS} GTest::gtest Threads::Threads)
  if(NOT ARG_OWN_MAIN)
    target_link_libraries(${name} PRIVATE GTest::gtest_main)
  endif()
  target_include_directories(${name} PRIVATE ${CMAKE_SOURCE_DIR})
  target_compile_definitions(${name} PRIVATE XWAM_SOURCE_DIR="${CMAKE_SOURCE_DIR}" XWAM_BINARY_DIR="${CMAKE_BINARY_DIR}")
  gtest_discover_tests(${name}
    PROPERTIES LABELS "${ARG_LABELS}" TIMEOUT ${ARG_TIMEOUT} ENVIRONMENT "${ARG_ENV}"
    DISCOVERY_TIMEOUT 120)
endfunction()

# xwam_add_bench(NAME SOURCES ... LIBS ...): a program in build/bin that prints JSON.
function(xwam_add_bench name)
  cmake_parse_arguments(ARG "" "" "SOURCES;LIBS" ${ARGN})
  add_executable(${name} ${ARG_SOURCES})
  target_link_libraries(${name} PRIVATE ${ARG_LIBS} Threads::Threads)
  xwam_include_root(${name} PRIVATE bench)
endfunction()
