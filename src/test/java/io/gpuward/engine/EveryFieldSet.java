package io.gpuward.engine;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.Collection;
import java.util.Map;

/**
 * Asserts that a test value has every field set to something other than its default, nested project
 * types included: a serde test that round-trips such a value fails when a field is added that
 * neither the serde nor the test knows.
 */
final class EveryFieldSet {
  private EveryFieldSet() {}

  static void check(Object value) {
    check(value, value.getClass().getSimpleName());
  }

  private static void check(Object value, String path) {
    for (Class<?> c = value.getClass(); c != Object.class && c != Record.class; ) {
      for (Field f : c.getDeclaredFields()) {
        if (!Modifier.isStatic(f.getModifiers())) {
          checkField(value, f, path + "." + f.getName());
        }
      }
      c = c.getSuperclass();
    }
  }

  private static void checkField(Object owner, Field f, String path) {
    Object v;
    try {
      f.setAccessible(true);
      v = f.get(owner);
    } catch (ReflectiveOperationException e) {
      throw new AssertionError(path, e);
    }
    assertThat(v).as(path).isNotNull();
    if (f.getType() == boolean.class) {
      assertThat((Boolean) v).as(path).isTrue();
    } else if (f.getType().isPrimitive() && v instanceof Number n) {
      assertThat(n.longValue()).as(path).isNotZero();
    }
    if (v instanceof Map<?, ?> m) {
      assertThat(m).as(path).isNotEmpty();
      m.values().forEach(e -> nested(e, path + "[]"));
    } else if (v instanceof Collection<?> c) {
      assertThat(c).as(path).isNotEmpty();
      c.forEach(e -> nested(e, path + "[]"));
    } else {
      nested(v, path);
    }
  }

  private static void nested(Object v, String path) {
    assertThat(v).as(path).isNotNull();
    if (v.getClass().getName().startsWith("io.gpuward.") && !v.getClass().isEnum()) {
      check(v, path);
    }
  }
}
