# python/module.cmake -- how the CPython extension citybrain._citybrain is
# built (docs/python.md).  One definition, used twice:
#   * tests/CMakeLists.txt includes it: the project's build makes
#     <build>/python/citybrain/ and ctest runs python/tests against it;
#   * python/CMakeLists.txt includes it: what setup.py (pip) drives.
# Needs the target citybrain_core.  Sets CB_PYTHON_MODULE (ON/OFF) and,
# when OFF, CB_PYTHON_WHY.  Input: CB_PYTHON_OUT, the folder that receives
# the package citybrain/ (extension + pure-Python files).
#
# The interpreter is Debian's /usr/bin/python3 by default, not whatever
# `python3` is first on PATH (a pyenv or conda build has other headers).

set(CB_PYTHON_EXECUTABLE "/usr/bin/python3" CACHE FILEPATH
    "Python interpreter the module is built for (Debian's by default)")
set(CB_PYTHON_MODULE OFF)
if(CB_SANITIZE)
  # an ASan-instrumented module cannot be loaded into a plain python3
  set(CB_PYTHON_WHY "not built with CB_SANITIZE (ASan must be loaded first)")
elseif(NOT EXISTS "${CB_PYTHON_EXECUTABLE}")
  set(CB_PYTHON_WHY "${CB_PYTHON_EXECUTABLE} not found (apt-get install python3)")
else()
  set(Python3_EXECUTABLE "${CB_PYTHON_EXECUTABLE}")
  find_package(Python3 COMPONENTS Interpreter Development.Module QUIET)
  if(NOT Python3_Development.Module_FOUND)
    set(CB_PYTHON_WHY "no Python headers for ${CB_PYTHON_EXECUTABLE} (apt-get install python3-dev)")
  else()
    file(GLOB CB_PYTHON_SOURCES CONFIGURE_DEPENDS ${CMAKE_CURRENT_LIST_DIR}/src/*.c)
    Python3_add_library(citybrain_python MODULE WITH_SOABI ${CB_PYTHON_SOURCES})
    set_target_properties(citybrain_python PROPERTIES
      OUTPUT_NAME _citybrain
      LIBRARY_OUTPUT_DIRECTORY ${CB_PYTHON_OUT}/citybrain
      C_STANDARD 11 C_STANDARD_REQUIRED ON C_EXTENSIONS OFF
      C_VISIBILITY_PRESET hidden)
    target_compile_options(citybrain_python PRIVATE -Wall -Wextra -Wno-unused-parameter)
    target_link_libraries(citybrain_python PRIVATE citybrain_core)
    # the library's symbols stay inside the module (no clash with other modules)
    target_link_options(citybrain_python PRIVATE -Wl,--exclude-libs,ALL)
    # the pure-Python files next to the extension, so CB_PYTHON_OUT is
    # importable; copied again whenever one of them changes
    file(GLOB CB_PYTHON_FILES LIST_DIRECTORIES false CONFIGURE_DEPENDS ${CMAKE_CURRENT_LIST_DIR}/citybrain/*)
    set(CB_PYTHON_STAMP ${CMAKE_CURRENT_BINARY_DIR}/citybrain_python_files.stamp)
    add_custom_command(OUTPUT ${CB_PYTHON_STAMP}
      COMMAND ${CMAKE_COMMAND} -E make_directory ${CB_PYTHON_OUT}/citybrain
      COMMAND ${CMAKE_COMMAND} -E copy ${CB_PYTHON_FILES} ${CB_PYTHON_OUT}/citybrain/
      COMMAND ${CMAKE_COMMAND} -E touch ${CB_PYTHON_STAMP}
      DEPENDS ${CB_PYTHON_FILES}
      COMMENT "Copying the citybrain Python package")
    add_custom_target(citybrain_python_files ALL DEPENDS ${CB_PYTHON_STAMP})
    add_dependencies(citybrain_python citybrain_python_files)
    set(CB_PYTHON_MODULE ON)
  endif()
endif()
