package dev.ale.server.console;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class HtmlTest {

    @Test
    void textIsEscapedForElementsAndQuotedAttributesAlike() {
        assertThat(Html.text("<img src=x onerror=\"alert('1')\">&amp;")).isEqualTo("&lt;img src=x onerror=&quot;alert(&#39;1&#39;)&quot;&gt;&amp;amp;");
        assertThat(Html.text("a\u0000b\u001bc\nd")).isEqualTo("a\\x00b\\x1bc\nd");
        assertThat(Html.text("plain text, é ✓")).isEqualTo("plain text, é ✓");
        assertThat(Html.segment("sb-1/../x y")).isEqualTo("sb-1%2F..%2Fx%20y");
    }
}
