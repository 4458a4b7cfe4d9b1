#include "dump.hpp"

int main() {
  return 0;
}
