<#import "template.ftl" as layout>
<@layout.registrationLayout displayMessage=true; section>
    <#if section = "header">
        Choisir le patient
    <#elseif section = "form">
        <form id="smart-patient-search" action="${url.loginAction}" method="post">
            <label for="q">Nom du patient</label>
            <input id="q" name="q" type="search" value="${(query!'')}" autofocus />
            <button id="search" type="submit">Rechercher</button>
        </form>
        <#if patients?? && patients?size gt 0>
            <form id="smart-patient-pick" action="${url.loginAction}" method="post">
                <ul id="patients">
                <#list patients as p>
                    <li>
                        <button type="submit" name="patient" value="${p.id}" data-patient-id="${p.id}">
                            ${p.name}<#if p.birthDate?has_content> (${p.birthDate})</#if>
                        </button>
                    </li>
                </#list>
                </ul>
            </form>
        </#if>
    </#if>
</@layout.registrationLayout>
